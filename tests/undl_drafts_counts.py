"""The sponsors of each of the 47 UN Digital Library records in
shared/fixtures/undl-drafts/undl_drafts_A_C.3_78_part1.xml, counted by hand from the records'
text for the tests of the reader (unit/) and of `sponsors import` (cli/)."""

# Counted from the records' text, not with cahtracker: 245 $c and each "Additional
# sponsors:" list of 515 $a split on ", " and the last " and ", keeping whole the names
# that contain " and " (Antigua and Barbuda, Bosnia and Herzegovina, Saint Vincent and the
# Grenadines, Trinidad and Tobago, Saint Kitts and Nevis, United Kingdom of Great Britain and
# Northern Ireland), a bracketed group left out. (original, additional, current sponsors
# = original + additional minus removals); None: submitted by no state. A second count,
# by another script written for `sponsors import` (issue 14), gave the same figures.
COUNTS: dict[str, tuple[int, int, int] | None] = {
    "A/C.3/78/L.49/Rev.1": (24, 49, 73),
    "A/C.3/78/L.67": (47, 3, 50),
    "A/C.3/78/L.47": (30, 55, 85),
    "A/C.3/78/L.62": (29, 36, 65),
    "A/C.3/78/L.51": (45, 31, 76),
    "A/C.3/78/L.58": (7, 5, 12),
    "A/C.3/78/L.27": (44, 31, 75),
    "A/C.3/78/L.17": (1, 0, 1),
    "A/C.3/78/L.9": (4, 0, 4),
    "A/C.3/78/L.4": None,
    "A/C.3/78/L.1": None,
    "A/C.3/78/L.72": None,
    "A/C.3/78/L.53/Rev.1": (50, 42, 92),
    "A/C.3/78/L.65": None,
    "A/C.3/78/L.63": (1, 0, 1),
    "A/C.3/78/L.21/Rev.1": (15, 32, 47),
    "A/C.3/78/L.53": (31, 0, 31),
    "A/C.3/78/L.34": (2, 45, 47),
    "A/C.3/78/L.23": (1, 0, 1),
    "A/C.3/78/L.15": (1, 0, 1),
    "A/C.3/78/L.14": (1, 0, 1),
    "A/C.3/78/L.15/Rev.1": (5, 1, 6),
    "A/C.3/78/L.16/Rev.1": (9, 12, 21),
    "A/C.3/78/L.60": (1, 0, 1),
    "A/C.3/78/L.36": (26, 33, 59),
    "A/C.3/78/L.33": (10, 30, 40),
    "A/C.3/78/L.31": (32, 0, 32),
    "A/C.3/78/L.25": (5, 0, 5),
    "A/C.3/78/L.19": (60, 0, 60),
    "A/C.3/78/L.7": (3, 35, 38),
    "A/C.3/78/L.3": None,
    "A/C.3/78/L.42": (42, 8, 50),
    "A/C.3/78/L.41": (43, 7, 50),
    "A/C.3/78/L.69": (47, 3, 50),
    "A/C.3/78/L.61": (1, 22, 23),
    "A/C.3/78/L.22/Rev.1": (36, 62, 98),
    "A/C.3/78/L.64": (1, 2, 3),  # and Sudan removed, never listed
    "A/C.3/78/L.43": (21, 32, 53),
    "A/C.3/78/L.44": (2, 0, 2),
    "A/C.3/78/L.35": (18, 104, 122),
    "A/C.3/78/L.22": (1, 0, 1),
    "A/C.3/78/L.12": (2, 0, 2),
    "A/C.3/78/L.10": (4, 52, 56),
    "A/C.3/78/L.6": None,
    "A/C.3/78/L.9/Rev.1": (19, 45, 64),
    "A/C.3/78/L.30/Rev.1": (36, 37, 73),
    "A/C.3/78/L.14/Rev.1": (8, 52, 60),
}
