"""Sentence-level cues: does a sentence report a seizure, an aggregate figure, a new incident?

Each cue is a small regular expression over plain English news prose; the names say what they
look for, so a field's provenance can name the cue that decided it.
"""

from __future__ import annotations

import re

__all__ = [
    "COMPARISON",
    "CONTINUES",
    "DESTROYED",
    "NEW_INCIDENT",
    "NOT_SEIZURE",
    "REFERS_BACK",
    "SEIZURE",
    "STATISTIC",
    "STAT_COUNTS",
    "is_statistic",
]

SEIZURE = re.compile(
    r"\b(seiz\w*|confiscat\w*|found|find|finds|discover\w*|recover\w*|intercept\w*|detect\w*|haul|bust\w*|"
    r"caught|catch|captur\w*|impound\w*|uncover\w*|prevent\w*|withdr[ae]wn?|arrest\w*|detain\w*|smuggl\w*|"
    r"traffick\w*|hidden|concealed|stash\w*|nett?ed|nabbed|foil\w*|thwart\w*|raid\w*|possession|"
    r"carrying|transporting|yielded|produced|removed from|taken out of|took out of|inspection|inspected|"
    r"search\w*|apprehend\w*|bag|lifted|picked up|held|blocked|stopped|grabbed|netting|intercepts|"
    r"изъят\w*|обнаруж\w*|задерж\w*|aşkar|götürül\w*|ələ keçiril\w*|ele gecirildi|"
    r"yakalan\w*|ele geçiril\w*)\b",
    re.IGNORECASE,
)
NOT_SEIZURE = re.compile(
    r"\b(produc(?:e|es|ing|tion)|cultivat\w*|harvest\w*|consum\w*|price[sd]?|costs?|sells? for|sold for|"
    r"addicts?|overdose\w*|prescri\w*|treatment|capacity|quota|destroyed|burn(?:ed|t)|incinerat\w*|"
    r"eradicat\w*|kilomet(?:er|re)s?|hectares?)\b",
    re.IGNORECASE,
)
STATISTIC = [
    re.compile(
        r"\b(?:in|during|for|throughout|over|of)\s+(?:the\s+(?:whole\s+|entire\s+)?(?:year\s+)?)?"
        r"(?:19|20)\d\d\b(?!\s*[-/]\d)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:so far|since the (?:beginning|start)|since (?:january|early|the)|this year|"
        r"past (?:\w+\s+)?(?:years?|months|decades?)|first (?:half|quarter|(?:\w+\s+)?months)|"
        r"(?:\w+|\d+) months of|(?:during|in|over) the (?:specified|reporting|same|past|last) "
        r"(?:\w+\s+)?period|annual(?:ly)?|per year|each year|every year|a year earlier|"
        r"compared (?:to|with)|corresponding period|totalled|provinces of|"
        r"over the (?:past|last) \w+|year-on-year|nationwide|across the country|world drug report|"
        r"percent|per cent|%|(?:in|during|for) (?:the )?(?:january|february|march|april|may|june|july|august|"
        r"september|october|november|december)\s*(?:-|–|to|through)\s*(?:january|february|march|april|may|"
        r"june|july|august|september|october|november|december)\b)",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b\d{2,}[\d,]*\s+(?:drug[- ]related\s+|anti-drug\s+|counter-narcotics\s+|individual\s+|separate\s+|"
        r"joint\s+|special\s+|drug\s+)?(?:operations|cases|crimes|raids|busts|seizures|gangs|strikes|attempts|labs)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:five|six|seven|eight|nine|ten|several|multiple|various|dozens of|hundreds of|[5-9]|\d{2,})\s+"
        r"(?:individual\s+|separate\s+|different\s+|other\s+)?(?:drug\s+|anti-drug\s+)?"
        r"(?:provinces|seizures|raids|operations|busts|cities|regions|countries)\b",
        re.IGNORECASE,
    ),
]
_NOT_STAT = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|"
    r"mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s+(?:\d{1,2},?\s+)?(?:19|20)\d\d\b",
    re.IGNORECASE,
)
STAT_COUNTS = re.compile(
    r"\b(?P<value>\d[\d,]*)\s+"
    r"(?P<noun>(?:drug[- ]related\s+|anti-drug\s+|counter-narcotics\s+)?(?:operations|"
    r"cases|crimes|raids|busts|seizures|gangs|strikes|labs|people|persons|suspects|smugglers|traffickers|"
    r"vehicles|citizens|individuals))\b",
    re.IGNORECASE,
)
# Destruction of drugs seized before ("police burned 2 tonnes of confiscated drugs").
DESTROYED = re.compile(r"\b(destroy\w*|burn(?:ed|t|ing|s)?|incinerat\w*)\b", re.IGNORECASE)
# A quantity that only serves as a comparison ("the haul is second only to a record set years ago").
COMPARISON = re.compile(
    r"\b(second only to|beaten (?:only )?by|only (?:surpassed|beaten|topped) by|previous record|"
    r"the record of|compared with|surpass\w*|larger than|bigger than|"
    r"exceed\w*|the largest since|equivalent to)\b",
    re.IGNORECASE,
)
# A sentence that continues the aggregate figure of the one before it.
CONTINUES = re.compile(
    r"^\W*(they|these|this included|of these|of them|among them|in total|including|the seized (?:drugs|"
    r"narcotics|substances)|the (?:drugs|narcotics|haul) (?:comprised|included|consisted))\b",
    re.IGNORECASE,
)
# A sentence that refers back to a figure given just before it.
REFERS_BACK = re.compile(
    r"^\W*(?:the|this|these) (?:figure|figures|amount|number|total|quantity)\b", re.IGNORECASE
)
NEW_INCIDENT = re.compile(
    r"\b(another|separate(?:ly)?|second|third|fourth|fifth|sixth|seventh|first incident|first operation|"
    r"in a further|in one operation|meanwhile|elsewhere|in addition|additionally|also in|in the other|"
    r"one more|next incident|later that day|the next day|a day later|earlier on|earlier,|the other)\b",
    re.IGNORECASE,
)


def is_statistic(text: str, periods_only: bool = False) -> bool:
    """Does the sentence report an aggregate (a period's total, a count of operations, a share)?"""
    for pattern in STATISTIC[:2] if periods_only else STATISTIC:
        m = pattern.search(text)
        if m is None:
            continue
        # "in March 2019" dates one seizure; "in 2019" is a period
        if pattern is STATISTIC[0] and _NOT_STAT.search(text[max(0, m.start() - 20) : m.end()]):
            continue
        return True
    return False
