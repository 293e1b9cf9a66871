"""arXiv's subject taxonomy as OAI-PMH names its sets: group, group:archive and
group:archive:category (`cs`, `physics:hep-th`, `cs:cs:LG`).

The sets are those `arXiv/oaipmh` lists and accepts (`oaipmh/processors/create_set_list.py:34-44`
`make_set_str`, `oaipmh/requests/data_queries.py:121-148` `_parse_set`, commit 27ad99e3e37a),
from the active groups, archives and categories of arXiv's taxonomy:
`arxiv/taxonomy/definitions.py` of `arXiv/arxiv-base` at commit
0f94fa031ea1be3bea5753642b966e28f1571ea5 (`GROUPS` line 25, `ARCHIVES` 95,
`ARCHIVES_SUBSUMED` 420, `CATEGORIES` 456, `CATEGORY_ALIASES` 1957), checked set for set
(174 sets; `tests/test_taxonomy.py`). A paper is in the sets of every one of its
categories, cross-lists and the other name of an alias included.
"""

from __future__ import annotations

# Archive -> its group, for the archives that are not their own group (physics).
_PHYSICS_ARCHIVES = [
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "hep-ex",
    "hep-lat",
    "hep-ph",
    "hep-th",
    "math-ph",
    "nlin",
    "nucl-ex",
    "nucl-th",
    "physics",
    "quant-ph",
]
# The subject classes of each archive that has them; an archive without is a category.
_CATEGORIES = {
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS "
    "NA NE NI OH OS PF PL RO SC SD SE SI SY",
    "econ": "EM GN TH",
    "eess": "AS IV SP SY",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA "
    "RA RT SG SP ST",
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "nlin": "AO CD CG PS SI",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an "
    "ed-ph flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "stat": "AP CO ME ML OT TH",
}
# Archives arXiv folded into a category (definitions.py:420-439 `ARCHIVES_SUBSUMED`): old
# papers still carry them; none is a set (none is active).
SUBSUMED = {
    "cmp-lg": "cs.CL",
    "adap-org": "nlin.AO",
    "comp-gas": "nlin.CG",
    "chao-dyn": "nlin.CD",
    "solv-int": "nlin.SI",
    "patt-sol": "nlin.PS",
    "alg-geom": "math.AG",
    "dg-ga": "math.DG",
    "funct-an": "math.FA",
    "q-alg": "math.QA",
    "mtrl-th": "cond-mat.mtrl-sci",
    "supr-con": "cond-mat.supr-con",
    "acc-phys": "physics.acc-ph",
    "ao-sci": "physics.ao-ph",
    "atom-ph": "physics.atom-ph",
    "bayes-an": "physics.data-an",
    "chem-ph": "physics.chem-ph",
    "plasm-ph": "physics.plasm-ph",
}
# Category aliases, alias -> canonical (definitions.py:1957-1964 `CATEGORY_ALIASES`): a
# paper in one is listed in the other too, and both are sets.
ALIASES = {
    "math.MP": "math-ph",
    "stat.TH": "math.ST",
    "math.IT": "cs.IT",
    "q-fin.EC": "econ.GN",
    "cs.SY": "eess.SY",
    "cs.NA": "math.NA",
}
_ARCHIVES = [*_PHYSICS_ARCHIVES, *(a for a in _CATEGORIES if a not in _PHYSICS_ARCHIVES)]


def group_of(archive: str) -> str | None:
    """The group an archive (or a subsumed one) belongs to; None for one arXiv lacks."""
    if archive in _PHYSICS_ARCHIVES:
        return "physics"
    if archive in _CATEGORIES:
        return archive
    into = SUBSUMED.get(archive)
    return None if into is None else group_of(into.split(".", 1)[0])


def alt_name(category: str) -> str | None:
    """A category's other name (definitions.py, `alt_name`): its alias partner, the
    archive it subsumed or the category that subsumed it; None when it has none."""
    for pairs in (ALIASES, SUBSUMED):
        for one, other in pairs.items():
            if category == one:
                return other
            if category == other:
                return one
    return None


def set_of(category: str) -> str | None:
    """The set spec of a category (create_set_list.py:42-44): `cs.LG` -> `cs:cs:LG`,
    `hep-th` -> `physics:hep-th`; None for a category arXiv lacks."""
    group = group_of(category.split(".", 1)[0])
    return None if group is None else f"{group}:{category.replace('.', ':')}"


def _sets() -> frozenset[str]:
    found: set[str] = set()
    for archive in _ARCHIVES:
        group = group_of(archive)
        found.add(f"{group}")
        found.add(f"{group}:{archive}")
        for subject in _CATEGORIES.get(archive, "").split():
            found.add(f"{group}:{archive}:{subject}")
    return frozenset(found)


SETS = _sets()
"""Every set arXiv's OAI-PMH lists."""


def group_of_category(category: str) -> str | None:
    """The group (the broadest set) holding a category such as `cs.LG` or `hep-th`."""
    return group_of(category.split(".", 1)[0])


WHOLE_ARCHIVE = "*"
"""A set topic's `set` for all of arXiv: its lists name no set."""


def query_for(set_spec: str) -> str:
    """The query API search for the papers of a set (`cs:cs:CL` -> `cat:cs.CL`), which
    `plan` asks for a set's size: the names arXiv's server matches for the set
    (`oaipmh/processors/db.py:110-147`), the other name of an alias or subsumed archive
    (`chao-dyn` in `physics:nlin:CD`) and a legacy bare archive (`astro-ph`,
    definitions.py:443-454) included."""
    if set_spec == WHOLE_ARCHIVE:  # every group's categories, for what a search covers
        return " OR ".join(query_for(group) for group in sorted(s for s in SETS if ":" not in s))
    parts = set_spec.split(":")
    if len(parts) == 3:
        category = f"{parts[1]}.{parts[2]}"
        names = [category, alt_name(category)]
    else:
        archives = [parts[1]] if len(parts) == 2 else _archives_of(parts[0])
        names = [f"{a}.*" if a in _CATEGORIES else a for a in archives]
        names += [a for a in archives if a in _LEGACY_BARE]
        names += [alt_name(c) for a in archives for c in _categories_of(a)]
    known = [n for n in names if n is not None]
    return " OR ".join(f"cat:{n}" for n in dict.fromkeys(known) if _outside(n, known))


# Archives whose bare name old papers carry as a category (definitions.py:443-454).
_LEGACY_BARE = ("astro-ph", "cond-mat", "q-bio")


def _archives_of(group: str) -> list[str]:
    """A group's archives, subsumed ones included (`Group.get_archives(True)`)."""
    return [a for a in [*_ARCHIVES, *SUBSUMED] if group_of(a) == group]


def _categories_of(archive: str) -> list[str]:
    """An archive's categories, or the archive itself when it is its own category."""
    return [f"{archive}.{s}" for s in _CATEGORIES.get(archive, "").split()] or [archive]


def _outside(name: str, names: list[str]) -> bool:
    """Whether a name is not already covered by an archive wildcard among `names`."""
    archive, dot, _ = name.partition(".")
    return not dot or name.endswith(".*") or f"{archive}.*" not in names
