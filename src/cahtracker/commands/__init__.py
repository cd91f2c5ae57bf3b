"""One Typer sub-app per command group; each command parses, calls one domain function, renders."""
