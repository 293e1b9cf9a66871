"""A synthetic arXiv of any number of papers, for the OAI-PMH stand-in
(`tests/oai_standin.py`) to serve at arXiv's scale (issue 23: a million papers).

Each paper is one slot of a few compact arrays: its id's number, the submission times of
its first and current versions, its version count, its `modtime` (seconds since the
epoch), its categories (an index into `CATEGORIES` each) and flags (DOI, two DOIs,
journal-ref, comments, withdrawn, id with subject class). Every text (title, authors,
abstract, comments, journal-ref, DOI, license, the middle versions) is made when a page
shows the paper, from the seed and the paper's index: about 30 bytes a paper are held.
An index of the papers sorted by (modtime, paper id), the order `processors/db.py:42-73`
lists in, lets a page bisect to its `from` instead of sorting or scanning all of them.

The shape follows arXiv's: submissions from 1991-08-14 to the stand-in's today, growing
year on year as arXiv's did (`PER_YEAR`); old-style ids (`hep-th/9901001`,
`math.GT/0309136`) before 2007-04, then `YYMM.NNNN` and, from 2015, `YYMM.NNNNN`, numbered
in submission order within a month; 1-5 versions; a `modtime` at or after the current
version, spread over the years since, with a share at the earliest datestamp, 2005-09-16
(about 90,000 of arXiv's 2.9 million papers are there); categories across arXiv's groups
in the archives of their time, a primary and up to two cross-lists, an alias's other name
beside it. `day_of_changes` makes one day of arXiv's: new papers, DOIs added, withdrawals.
"""

from __future__ import annotations

import bisect
import functools
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from harvester import taxonomy
from tests.oai_standin import EARLIEST, OaiPaper, Version, category_in_set
from tests.synthetic import FIRST, LAST

FIRST_DAY = date(1991, 8, 14)  # hep-th/9108001, arXiv's first paper
NEW_STYLE = datetime(2007, 4, 1, tzinfo=UTC)  # 0704.0001: new-style ids from April 2007
FIVE_DIGITS = datetime(2015, 1, 1, tzinfo=UTC)  # 1501.00001: five-digit numbers from 2015
# Submissions a year, in thousands, after arXiv's statistics (arxiv.org/stats/monthly_submissions);
# a later year repeats the last.
PER_YEAR = {
    1991: 0.7, 1992: 3.2, 1993: 6.7, 1994: 10.1, 1995: 13.0, 1996: 15.9, 1997: 19.6,
    1998: 24.0, 1999: 27.6, 2000: 30.6, 2001: 33.1, 2002: 36.1, 2003: 39.3, 2004: 43.6,
    2005: 46.9, 2006: 50.2, 2007: 55.6, 2008: 58.9, 2009: 64.0, 2010: 70.1, 2011: 76.6,
    2012: 84.6, 2013: 92.6, 2014: 97.5, 2015: 105.3, 2016: 113.4, 2017: 123.5,
    2018: 140.6, 2019: 155.9, 2020: 178.3, 2021: 181.6, 2022: 185.7, 2023: 208.5,
    2024: 240.0, 2025: 280.0, 2026: 300.0,
}  # fmt: skip
# The share of all papers whose datestamp is the earliest (90,000 of 2.9 million).
AT_EARLIEST = 90 / 2900
# Archives a paper's primary is drawn from, with their share of submissions and the
# months (YYYYMM) they took papers; a subsumed archive's papers stopped when its
# category took over. Shares are of recent years; older years draw among the archives
# of their time.
ARCHIVES: dict[str, tuple[float, int, int]] = {
    "cs": (38, 199801, 999912),
    "math": (17, 199802, 999912),
    "hep-th": (3.0, 199108, 999912),
    "hep-ph": (3.5, 199203, 999912),
    "hep-lat": (0.5, 199202, 999912),
    "hep-ex": (0.8, 199404, 999912),
    "astro-ph": (7, 199204, 999912),
    "cond-mat": (8, 199204, 999912),
    "gr-qc": (2, 199207, 999912),
    "quant-ph": (5, 199412, 999912),
    "math-ph": (1, 199609, 999912),
    "nucl-th": (0.8, 199210, 999912),
    "nucl-ex": (0.4, 199412, 999912),
    "nlin": (1, 199801, 999912),
    "physics": (6, 199610, 999912),
    "q-bio": (1.5, 200309, 999912),
    "q-fin": (1, 200812, 999912),
    "stat": (4, 200704, 999912),
    "eess": (4, 201709, 999912),
    "econ": (0.8, 201709, 999912),
    "alg-geom": (1, 199202, 199712),
    "funct-an": (0.5, 199204, 199712),
    "dg-ga": (0.4, 199406, 199712),
    "q-alg": (0.6, 199412, 199712),
    "chao-dyn": (0.6, 199301, 199712),
    "solv-int": (0.4, 199304, 199712),
    "patt-sol": (0.2, 199304, 199712),
    "adap-org": (0.2, 199303, 199712),
    "comp-gas": (0.1, 199302, 199712),
    "cmp-lg": (0.4, 199404, 199712),
    "mtrl-th": (0.3, 199411, 199609),
    "supr-con": (0.3, 199411, 199609),
    "chem-ph": (0.3, 199403, 199609),
    "atom-ph": (0.2, 199509, 199609),
    "plasm-ph": (0.1, 199509, 199609),
    "acc-phys": (0.1, 199411, 199609),
    "ao-sci": (0.1, 199502, 199609),
    "bayes-an": (0.1, 199506, 199609),
}
ASTRO_SUBJECTS_FROM = 200901  # astro-ph had no subject classes before 2009
# The busiest subject classes, drawn more often than the others of their archive.
POPULAR = {"cs.LG": 8, "cs.CV": 6, "cs.CL": 5, "cs.AI": 4, "cs.RO": 2, "cs.CR": 2}
SUBJECT_IDS = ("math", "cs")  # old-style ids that may carry the subject (`math.GT/0309136`)


def _categories() -> tuple[str, ...]:
    names: list[str] = []
    for spec in sorted(taxonomy.SETS):
        parts = spec.split(":")
        if len(parts) == 3:
            names.append(f"{parts[1]}.{parts[2]}")
        elif len(parts) == 2 and not any(s.startswith(f"{spec}:") for s in taxonomy.SETS):
            names.append(parts[1])  # an archive that is its own category (hep-th)
    return (*names, "astro-ph", *taxonomy.SUBSUMED)


CATEGORIES = _categories()
"""Every category a synthetic paper may carry; a paper holds indexes into it."""
_INDEX = {name: n for n, name in enumerate(CATEGORIES)}
# The name listed beside a category: an alias's other name, a subsumed archive's category.
_PARTNERS = taxonomy.ALIASES | {c: a for a, c in taxonomy.ALIASES.items()} | taxonomy.SUBSUMED
NONE = 255  # no category in this slot
assert len(CATEGORIES) < NONE

DOI, TWO_DOIS, JOURNAL, COMMENTS, WITHDRAWN, SUBJECT_ID = 1, 2, 4, 8, 16, 32

_VOCABULARY = (
    "we study show propose present introduce analyse derive obtain find prove demonstrate "
    "model models method framework approach algorithm theory theorem estimate bound bounds "
    "quantum classical stochastic random nonlinear linear spectral topological dynamical "
    "field fields gauge string black hole holes horizon entropy energy mass spin charge "
    "lattice phase transition transitions critical symmetry symmetries breaking anomaly "
    "network networks neural deep learning training inference generalization robust "
    "optimal optimization convex gradient descent sparse regression estimator kernel "
    "graph graphs tree trees manifold manifolds surface surfaces group groups algebra "
    "algebras operator operators space spaces measure measures equation equations "
    "solution solutions boundary conditions regime limit scaling universal structure "
    "data dataset datasets benchmark benchmarks language vision image images policy agent "
    "reward control signal signals channel channels noise coding capacity protocol "
    "galaxy galaxies star stars stellar cosmic cosmological dark matter halo halos "
    "redshift survey observations emission spectrum spectra magnetic electron electrons "
    "superconducting topological insulator phonon photon photons laser cavity qubit qubits "
    "entanglement decoherence measurement simulation simulations numerical analytic "
    "exact approximate asymptotic local global finite infinite dimensional invariant "
    "invariants moduli cohomology homology category functor representation representations "
    "prime primes number numbers distribution distributions process processes markov "
    "chain chains diffusion transport flow flows turbulence fluid interface efficient "
    "scalable accurate novel new general simple explicit large small high low strong weak "
    "results framework performance state-of-the-art significantly compared previous "
    "recent existing under over within between across using via both this these our the "
    "of in for and with on from to by a an as which that is are can be it its also further"
)
WORDS = tuple(_VOCABULARY.split())
MATH = (
    "$O(n \\log n)$", "$\\mathcal{N}=4$", "$p<0.05$", "$T_c \\approx 90$ K", "$z>6$",
    "$\\mathbb{R}^n$", "$SU(N)$", "$\\Lambda$CDM", "$d \\geq 3$", "$\\epsilon$-approximate",
    "$L^2$", "$5\\sigma$", "$\\sqrt{s}=13$ TeV", "$k$-means", "R&D",
)  # fmt: skip
JOURNALS = (
    "Phys. Rev. D", "Phys. Rev. B", "Phys. Rev. Lett.", "JHEP", "Astrophys. J.",
    "Mon. Not. R. Astron. Soc.", "J. Math. Phys.", "Commun. Math. Phys.", "Ann. of Math.",
    "Invent. Math.", "IEEE Trans. Inf. Theory", "J. Mach. Learn. Res.", "Nucl. Phys. B",
    "Class. Quantum Grav.", "New J. Phys.", "Bioinformatics", "Ann. Statist.",
)  # fmt: skip
PUBLISHERS = ("10.1103", "10.1007", "10.1016", "10.1088", "10.1109", "10.1093", "10.1145")
LICENSES = (  # from 2004; the later ones from 2015 (CC 4.0)
    ("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", 70),
    ("http://creativecommons.org/licenses/by/3.0/", 10),
    ("http://creativecommons.org/licenses/by-nc-sa/3.0/", 4),
    ("http://creativecommons.org/licenses/by/4.0/", 20),
    ("http://creativecommons.org/licenses/by-nc-nd/4.0/", 5),
    ("http://creativecommons.org/licenses/by-sa/4.0/", 3),
    ("http://creativecommons.org/publicdomain/zero/1.0/", 2),
)
LICENSED_FROM = datetime(2004, 1, 1, tzinfo=UTC)
CC4_FROM = datetime(2015, 1, 1, tzinfo=UTC)
WITHDRAWAL = "This paper has been withdrawn by the author due to an error in {}"


@dataclass(frozen=True)
class DayOfChanges:
    """What `SyntheticArxiv.day_of_changes` changed, by paper id."""

    day: date
    new: tuple[str, ...]
    """Papers first submitted on `day`."""
    dois: tuple[str, ...]
    """Stored papers that got a DOI (only their DOI and `modtime` changed)."""
    withdrawn: tuple[str, ...]
    """Stored papers withdrawn: a new version, a withdrawal."""

    @property
    def ids(self) -> frozenset[str]:
        """Every paper the day changed (a list from `day` holds these, and any paper the
        synthetic arXiv was made with on that day)."""
        return frozenset((*self.new, *self.dois, *self.withdrawn))


class SyntheticArxiv:
    """`count` papers submitted up to noon of `today`, the same for the same seed.

    Args:
        count: how many papers (up to about arXiv's own size: an id's number has 3 digits
            in an archive's month before 2007-04, 4 in a month before 2015).
        seed: what every paper is made from.
        today: the last day papers were submitted on (the stand-in's today).

    Raises:
        ValueError: too many papers for the ids of some month.
    """

    def __init__(self, count: int, *, seed: int = 0, today: date = date(2026, 4, 3)) -> None:
        self.seed = seed
        self.today = today
        self._number = array("I")  # the id's number within its month (and archive)
        self._first = array("I")  # v1's submission, seconds since the epoch
        self._current = array("I")  # the current version's submission
        self._modtime = array("I")  # the current version's last change
        self._versions = array("B")
        self._categories = (array("B"), array("B"), array("B"))  # primary, cross-lists
        self._flags = array("B")
        self._starts = [0]  # papers of month m (from 1991-08) are _starts[m]:_starts[m + 1]
        self._replaced: dict[int, tuple[Version, ...]] = {}  # versions after a withdrawal
        self._generate(count, random.Random(seed))
        self._order = self._sorted(range(len(self)))

    def __len__(self) -> int:
        return len(self._first)

    def _generate(self, count: int, rng: random.Random) -> None:
        now = _noon(self.today)
        months = _months(self.today)
        weights = [_month_share(month, self.today) for month in months]
        total, share = sum(weights), 0.0
        old_papers = sum(w for m, w in zip(months, weights, strict=True) if m < (2005, 9))
        at_earliest = min(1.0, AT_EARLIEST * total / old_papers)
        for month, weight in zip(months, weights, strict=True):
            share += weight
            made = round(count * share / total) - len(self)
            start = _month_start(month)
            end = min(_month_start(_next(month)), now)
            if month == (FIRST_DAY.year, FIRST_DAY.month):
                start = datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
            span = (end - start).total_seconds()
            numbers: dict[str, int] = {}
            month_start = len(self)
            for k in range(made):
                first = int(start.timestamp() + (k + rng.random()) * span / made)
                self._append(rng, first, numbers, month_start, now, at_earliest)
            self._starts.append(len(self))

    def _append(
        self,
        rng: random.Random,
        first: int,
        numbers: dict[str, int],
        month_start: int,
        now: datetime,
        at_earliest: float,
    ) -> None:
        """One paper more, submitted at `first` (seconds), drawn from `rng`: an old-style
        id numbered in `numbers` (by archive), a new-style one from the month's first
        paper, `month_start`."""
        when = datetime.fromtimestamp(first, UTC)
        chosen = _draw_categories(rng, when.year * 100 + when.month)
        flags = 0
        if when < NEW_STYLE:
            prefix = CATEGORIES[chosen[0]].split(".")[0]
            number = numbers[prefix] = numbers.get(prefix, 0) + 1
            if prefix in SUBJECT_IDS and rng.random() < 0.25:
                flags |= SUBJECT_ID
            limit = 999
        else:
            number = len(self) - month_start + 1
            limit = 9999 if when < FIVE_DIGITS else 99999
        if number > limit:
            raise ValueError(f"too many papers for the ids of {when:%Y-%m}")
        latest = int(now.timestamp())
        versions = rng.choices((1, 2, 3, 4, 5), (45, 30, 14, 7, 4))[0]
        if latest - first < 2 * 86400:  # not yet announced: not yet revised
            versions = 1
        current = first
        if versions > 1:
            later = int(rng.expovariate(1 / 200) * 86400) + 3600
            current = first + (later if first + later < latest else rng.randrange(latest - first))
        if versions > 1 and rng.random() < 0.02:
            flags |= WITHDRAWN
        modtime = _modtime(rng, current, now, at_earliest)
        old = (now - when).days > 365
        if rng.random() < (0.45 if old else 0.12):
            flags |= DOI | (TWO_DOIS if rng.random() < 0.03 else 0)
        if rng.random() < (0.6 if flags & DOI else 0.08):
            flags |= JOURNAL
        if rng.random() < 0.75:
            flags |= COMMENTS
        self._number.append(number)
        self._first.append(first)
        self._current.append(current)
        self._modtime.append(modtime)
        self._versions.append(versions)
        for slot, category in zip(self._categories, chosen, strict=True):
            slot.append(category)
        self._flags.append(flags)

    def paper_id(self, index: int) -> str:
        """The id of the paper at `index` (papers are indexed in submission order)."""
        when = datetime.fromtimestamp(self._first[index], UTC)
        number = self._number[index]
        if when >= NEW_STYLE:
            return f"{when:%y%m}.{number:0{4 if when < FIVE_DIGITS else 5}d}"
        category = CATEGORIES[self._categories[0][index]]
        prefix = category if self._flags[index] & SUBJECT_ID else category.split(".")[0]
        return f"{prefix}/{when:%y%m}{number:03d}"

    def index_of(self, paper_id: str) -> int:
        """The index of the paper of this id.

        Raises:
            KeyError: no paper has it.
        """
        _, slash, rest = paper_id.rpartition("/")
        digits = rest.replace(".", "")
        month = (
            2000 + int(digits[:2]) if digits[:2] < "91" else 1900 + int(digits[:2]),
            int(digits[2:4]),
        )
        m = (month[0] - FIRST_DAY.year) * 12 + month[1] - FIRST_DAY.month
        if 0 <= m < len(self._starts) - 1:
            low, high = self._starts[m], self._starts[m + 1]
            if not slash:  # new-style: numbered in submission order within the month
                low = min(high, low + int(rest[5:]) - 1)
                high = min(high, low + 1)
            for index in range(low, high):
                if self.paper_id(index) == paper_id:
                    return index
        raise KeyError(paper_id)

    def paper(self, index: int) -> OaiPaper:
        """The paper at `index`, its texts made from the seed and the index."""
        rng = random.Random((self.seed << 40) + index)
        flags = self._flags[index]
        first = datetime.fromtimestamp(self._first[index], UTC)
        current = datetime.fromtimestamp(self._current[index], UTC)
        modtime = datetime.fromtimestamp(self._modtime[index], UTC)
        categories = " ".join(CATEGORIES[s[index]] for s in self._categories if s[index] != NONE)
        # Every text is drawn whether the paper shows it or not, in one order, so that a
        # flag set later (a DOI added) changes nothing else.
        title = _title(rng)
        authors = _authors(rng)
        abstract = _abstract(rng)
        comments = f"{rng.randrange(4, 60)} pages, {rng.randrange(0, 15)} figures"
        journal = f"{rng.choice(JOURNALS)} {rng.randrange(1, 200)} ({first.year + rng.randrange(2)}) {rng.randrange(1, 9999)}"
        dois = [
            f"{rng.choice(PUBLISHERS)}/{_base36(index)}.{first.year}.{rng.randrange(10**5):05d}"
            for _ in range(2)
        ]
        license_url = _license(rng, first)
        sizes = [rng.randrange(8, 4000) for _ in range(5)]
        if flags & WITHDRAWN:
            comments = WITHDRAWAL.format(
                rng.choice(("section 3", "the proof", "the data", "eq. 2"))
            )
        versions = self._replaced.get(index)
        if versions is None:
            count = self._versions[index]
            middle = sorted(first + (current - first) * rng.random() for _ in range(count - 2))
            times = [first, *(t.replace(microsecond=0) for t in middle), current][:count]
            versions = tuple(Version(t, "", sizes[n % 5]) for n, t in enumerate(times))
            if flags & WITHDRAWN:
                versions = (*versions[:-1], Version(current, "I", 0))
        return OaiPaper(
            paper_id=self.paper_id(index),
            versions=versions,
            modtime=modtime,
            title=title,
            authors=", ".join(authors[:-1]) + " and " + authors[-1]
            if len(authors) > 1
            else authors[0],
            abstract=abstract,
            categories=categories,
            comments=comments if flags & (COMMENTS | WITHDRAWN) else None,
            journal_ref=journal if flags & JOURNAL else None,
            doi=(" ".join(dois) if flags & TWO_DOIS else dois[0]) if flags & DOI else None,
            license=license_url,
            updated=modtime if modtime.date() > current.date() else None,
            submitter=authors[0],
        )

    def papers(self) -> Iterator[OaiPaper]:
        """Every paper, in submission order."""
        return map(self.paper, range(len(self)))

    def window(
        self, start: datetime, end: datetime, set_spec: str | None, skip: int, count: int
    ) -> list[OaiPaper]:
        """The papers the server lists for a query (processors/db.py:42-73): those with
        `start <= modtime <= end` in `set_spec`, by (modtime, paper id), `skip` of them
        skipped, at most `count`; bisected to `start`, scanned from there for the set."""
        key = self._modtime.__getitem__
        low = bisect.bisect_left(self._order, int(start.timestamp()), key=key)
        high = bisect.bisect_right(self._order, int(end.timestamp()), lo=low, key=key)
        if set_spec is None:
            chosen = list(self._order[low + skip : min(high, low + skip + count)])
        else:
            member, chosen = _members_table(set_spec), []
            primary, second, third = self._categories
            with memoryview(self._order) as order:
                for index in order[low:high]:
                    if member[primary[index]] or member[second[index]] or member[third[index]]:
                        if skip:
                            skip -= 1
                            continue
                        chosen.append(index)
                        if len(chosen) == count:
                            break
        return [self.paper(i) for i in chosen]

    def next_day(self) -> None:
        """Move `today` on by a day (nothing is submitted or changed by it)."""
        self.today += timedelta(days=1)

    def day_of_changes(self, *, new: int = 0, dois: int = 0, withdrawals: int = 0) -> DayOfChanges:
        """One day of arXiv's on `today`, the same for the same seed and day: `new` papers
        submitted, a DOI added to `dois` papers (their `modtime` moves, nothing else),
        `withdrawals` papers withdrawn (a new version, a withdrawal). The papers changed are
        among those last changed before today, each changed once.

        Raises:
            ValueError: fewer papers than asked can get a DOI or be withdrawn.
        """
        rng = random.Random(f"changes {self.seed} {self.today}")
        morning = int(_noon(self.today).timestamp()) - 12 * 3600
        chosen = self._stored(rng, morning, dois + withdrawals)
        for index in chosen[:dois]:
            self._flags[index] |= DOI
        for index in chosen[dois:]:
            before = self.paper(index).versions
            when = morning + rng.randrange(12 * 3600)
            self._replaced[index] = (*before, Version(datetime.fromtimestamp(when, UTC), "I", 0))
            self._current[index] = when
            self._versions[index] += 1
            self._flags[index] |= WITHDRAWN
        for index in chosen:
            self._modtime[index] = max(self._current[index], morning + rng.randrange(12 * 3600))
        added = self._submit(rng, new, morning)
        self._order = self._reordered(chosen, added)
        ids = [self.paper_id(i) for i in chosen]
        return DayOfChanges(
            self.today, tuple(map(self.paper_id, added)), tuple(ids[:dois]), tuple(ids[dois:])
        )

    def _stored(self, rng: random.Random, before: int, count: int) -> list[int]:
        """`count` papers last changed before `before`, without a DOI and not withdrawn."""
        chosen: dict[int, None] = {}
        tried: set[int] = set()
        while len(chosen) < count:
            if len(tried) == len(self):
                raise ValueError(f"only {len(chosen)} papers can change, {count} asked")
            index = rng.randrange(len(self))
            tried.add(index)
            fit = self._modtime[index] < before and not self._flags[index] & (DOI | WITHDRAWN)
            if fit:
                chosen[index] = None
        return list(chosen)

    def _submit(self, rng: random.Random, count: int, morning: int) -> list[int]:
        """`count` new papers submitted this morning, after every paper before them."""
        month = (self.today.year - FIRST_DAY.year) * 12 + self.today.month - FIRST_DAY.month
        while len(self._starts) < month + 2:  # a month without papers yet
            self._starts.append(len(self))
        low = max(morning, self._first[-1] + 1 if len(self) else morning)
        span = max(count, morning + 12 * 3600 - low)
        added = []
        for k in range(count):
            first = low + int((k + rng.random()) * span / count)
            self._append(rng, first, {}, self._starts[month], _noon(self.today), 0.0)
            self._versions[-1], self._current[-1], self._modtime[-1] = 1, first, first
            self._flags[-1] &= COMMENTS  # new: no DOI, no journal yet, not withdrawn
            self._starts[month + 1] = len(self)
            added.append(len(self) - 1)
        return added

    def _key(self, index: int) -> tuple[int, str]:
        return self._modtime[index], self.paper_id(index)

    def _sorted(self, indexes: range | list[int]) -> array[int]:
        """`indexes` by (modtime, paper id): by modtime, then each run of one modtime by id."""
        order = sorted(indexes, key=self._modtime.__getitem__)
        start = 0
        for end in range(1, len(order) + 1):
            if end == len(order) or self._modtime[order[end]] != self._modtime[order[start]]:
                if end - start > 1:
                    order[start:end] = sorted(order[start:end], key=self.paper_id)
                start = end
        return array("I", order)

    def _reordered(self, changed: list[int], added: list[int]) -> array[int]:
        """The sorted index with `changed` moved to their new modtimes and `added` in (a new
        array: a page being rendered may still be reading the old one)."""
        gone = set(changed)
        order = array("I", (i for i in self._order if i not in gone))
        for index in self._sorted([*changed, *added]):
            bisect.insort(order, index, key=self._key)
        return order


def _noon(day: date) -> datetime:
    """The server's now on `day` (the stand-in checks `until` against it)."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _months(today: date) -> list[tuple[int, int]]:
    months, month = [], (FIRST_DAY.year, FIRST_DAY.month)
    while month <= (today.year, today.month):
        months.append(month)
        month = _next(month)
    return months


def _next(month: tuple[int, int]) -> tuple[int, int]:
    return (month[0] + 1, 1) if month[1] == 12 else (month[0], month[1] + 1)


def _month_start(month: tuple[int, int]) -> datetime:
    return datetime(month[0], month[1], 1, tzinfo=UTC)


def _month_share(month: tuple[int, int], today: date) -> float:
    """The month's submissions (its part up to noon of `today`, for today's month)."""
    rate = PER_YEAR.get(month[0], PER_YEAR[max(PER_YEAR)]) / 12
    start = _month_start(month)
    end = _month_start(_next(month))
    if month == (FIRST_DAY.year, FIRST_DAY.month):
        start = datetime.combine(FIRST_DAY, datetime.min.time(), UTC)
    covered = min(end, _noon(today)) - start
    return rate * covered / (end - _month_start(month))


def _modtime(rng: random.Random, current: int, now: datetime, at_earliest: float) -> int:
    """When the current version last changed: mostly within days of it, else spread over
    the years since; never before the earliest datestamp, where a share stays."""
    latest, earliest = int(now.timestamp()), int(EARLIEST.timestamp())
    if current < earliest:
        if rng.random() < at_earliest:
            return earliest + rng.randrange(86400)
        return rng.randrange(earliest + 86400, latest)
    draw = rng.random()
    if draw < 0.55:
        later = int(rng.expovariate(1 / 86400))
    elif draw < 0.85:
        later = int(rng.expovariate(1 / (365 * 86400)))
    else:
        later = rng.randrange(latest - current + 1)
    return current + (later if current + later < latest else rng.randrange(latest - current + 1))


@functools.cache
def _era(month: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """The archives taking papers in a month (YYYYMM) and their cumulative shares."""
    names = [a for a, (_, first, last) in ARCHIVES.items() if first <= month <= last]
    shares, total = [], 0.0
    for name in names:
        total += ARCHIVES[name][0]
        shares.append(total)
    return tuple(names), tuple(shares)


@functools.cache
def _subjects(archive: str, bare: bool) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """An archive's categories (as indexes), or the archive alone when `bare`, and their
    cumulative weights."""
    if bare:
        names = [archive]
    else:
        prefix = f"{archive}."
        names = [c for c in CATEGORIES if c.startswith(prefix)] or [archive]
    weights, total = [], 0.0
    for name in names:
        total += POPULAR.get(name, 1)
        weights.append(total)
    return tuple(_INDEX[n] for n in names), tuple(weights)


def _category(rng: random.Random, archive: str, month: int) -> int:
    indexes, weights = _subjects(archive, archive == "astro-ph" and month < ASTRO_SUBJECTS_FROM)
    return indexes[bisect.bisect(weights, rng.random() * weights[-1])]


def _archive(rng: random.Random, month: int) -> str:
    names, shares = _era(month)
    return names[bisect.bisect(shares, rng.random() * shares[-1])]


def _draw_categories(rng: random.Random, month: int) -> tuple[int, int, int]:
    """A primary and 0-2 cross-lists (mostly of the primary's group), an alias's other
    name, or the category that subsumed an archive, right after it while there is room."""
    primary = _archive(rng, month)
    chosen = [_category(rng, primary, month)]
    for _ in range(rng.choices((0, 1, 2), (50, 33, 17))[0]):
        archive = primary if rng.random() < 0.6 else _archive(rng, month)
        category = _category(rng, archive, month)
        if category not in chosen:
            chosen.append(category)
    named: dict[int, None] = {}
    for category in chosen:
        named[category] = None
        other = _PARTNERS.get(CATEGORIES[category])
        if other is not None:
            named[_INDEX[other]] = None
    first, second, third, *_ = (*named, NONE, NONE)
    return first, second, third


@functools.cache
def _members_table(set_spec: str) -> bytes:
    """Whether each category (by index) is in a set, one byte each; NONE never is."""
    return bytes(category_in_set(c, set_spec) for c in CATEGORIES) + bytes(256 - len(CATEGORIES))


def _title(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randrange(5, 14))
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(MATH))
    words[0] = words[0].capitalize()
    return " ".join(words)


def _authors(rng: random.Random) -> list[str]:
    count = rng.choices((1, 2, 3, 4, 5, 6, 8, 12), (12, 22, 22, 16, 10, 8, 6, 4))[0]
    return [
        f"{rng.choice(FIRST)[0]}. {rng.choice(LAST)}"
        if rng.random() < 0.4
        else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        for _ in range(count)
    ]


def _abstract(rng: random.Random) -> str:
    """About 1 kB of raw TeX text, as submitted: two spaces first, lines of 80 or less."""
    lines, line = [], " "
    for _ in range(rng.randrange(7, 11)):
        sentence = rng.choices(WORDS, k=rng.randrange(12, 24))
        if rng.random() < 0.2:
            sentence.insert(rng.randrange(len(sentence)), rng.choice(MATH))
        sentence[0] = sentence[0].capitalize()
        sentence[-1] += "."
        for word in sentence:
            if len(line) + len(word) >= 80:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}"
    return "\n".join([*lines, line])


def _license(rng: random.Random, first: datetime) -> str | None:
    urls = [url for url, _ in LICENSES]
    url = rng.choices(urls, [weight for _, weight in LICENSES])[0]
    if first < LICENSED_FROM:
        return None
    if first < CC4_FROM and "4.0" in url:
        return urls[0]
    return url


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not number:
            return digits
