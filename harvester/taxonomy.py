"""arXiv's subject taxonomy as OAI-PMH names its sets: group, group:archive and
group:archive:category (`cs`, `physics:hep-th`, `cs:cs:LG`).

The sets are those `arXiv/oaipmh` lists (`oaipmh/processors/create_set_list.py`,
`make_set_str`), from the active groups, archives and categories of arXiv's taxonomy
(`arxiv.taxonomy.definitions` in `arXiv/arxiv-base`). A paper is in the sets of every
one of its categories, cross-lists included.
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
# Archives arXiv folded into others (`ARCHIVES_SUBSUMED`): old papers still carry them.
_SUBSUMED = {
    "cmp-lg": "cs",
    "alg-geom": "math",
    "dg-ga": "math",
    "funct-an": "math",
    "q-alg": "math",
    **dict.fromkeys(
        [
            "adap-org",
            "chao-dyn",
            "comp-gas",
            "patt-sol",
            "solv-int",
            "mtrl-th",
            "supr-con",
            "acc-phys",
            "ao-sci",
            "atom-ph",
            "bayes-an",
            "chem-ph",
            "plasm-ph",
        ],
        "physics",
    ),
}
_ARCHIVES = [*_PHYSICS_ARCHIVES, *(a for a in _CATEGORIES if a not in _PHYSICS_ARCHIVES)]


def group_of(archive: str) -> str | None:
    """The group an archive (or a subsumed one) belongs to; None for one arXiv lacks."""
    if archive in _PHYSICS_ARCHIVES:
        return "physics"
    if archive in _CATEGORIES:
        return archive
    return _SUBSUMED.get(archive)


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


def query_for(set_spec: str) -> str:
    """The query API search for the papers of a set (`cs:cs:CL` -> `cat:cs.CL`), which
    `plan` asks for a set's size."""
    parts = set_spec.split(":")
    if len(parts) == 3:
        return f"cat:{parts[1]}.{parts[2]}"
    if len(parts) == 2:
        archive = parts[1]
        return f"cat:{archive}.*" if archive in _CATEGORIES else f"cat:{archive}"
    return " OR ".join(
        f"cat:{a}.*" if a in _CATEGORIES else f"cat:{a}"
        for a in _ARCHIVES
        if group_of(a) == set_spec
    )
