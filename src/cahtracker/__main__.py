from cahtracker.cli import main

main()
