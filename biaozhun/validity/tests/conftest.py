"""A small catalogue that exercises every resolution rule, and the personas."""

from datetime import date

import pytest

from biaozhun.accounts.models import User
from biaozhun.catalog.models import RelationKind
from biaozhun.catalog.tests.factories import make_standard, relate

D = date


@pytest.fixture
def catalog(db):
    """Editions and relations (as of 2024-06-01 unless a test says otherwise):

    GB/T 1.1-2009 → GB/T 1.1-2020 (current); GB 100-2000 → -2010 → -2020 (two hops);
    GB 200-2005 split into GB 201-2015 and GB 202-2015; GB 300-2001 and GB 301-2001 merged
    into GB 302-2012; GB 2760-2014 current, GB 2760-2024 published 2024-02-08, effective
    2025-02-08; GB 2760-2014/XG1-2021 amends GB 2760-2014; GB/T 400-2000 abolished
    2017-03-23; GB/T 500-2000 abolished 2018-01-01, partly replaced by GB/T 501-2018;
    GB 600-2010 → GB 600-2015 which was abolished 2020-01-01; GB/T 1001-2019 current.
    """
    s = {}

    def add(code, issued, effective, **fields):
        s[code] = make_standard(code, issued_on=issued, effective_on=effective, **fields)
        return s[code]

    add("GB/T 1.1-2009", D(2009, 6, 17), D(2010, 1, 1))
    add("GB/T 1.1-2020", D(2020, 3, 31), D(2020, 10, 1))
    add("GB 100-2000", D(2000, 1, 1), D(2000, 6, 1))
    add("GB 100-2010", D(2010, 1, 1), D(2010, 6, 1))
    add("GB 100-2020", D(2020, 1, 1), D(2020, 6, 1))
    add("GB 200-2005", D(2005, 1, 1), D(2005, 6, 1))
    add("GB 201-2015", D(2015, 1, 1), D(2015, 6, 1))
    add("GB 202-2015", D(2015, 1, 1), D(2015, 7, 1))
    add("GB 300-2001", D(2001, 1, 1), D(2001, 6, 1))
    add("GB 301-2001", D(2001, 1, 1), D(2001, 6, 1))
    add("GB 302-2012", D(2012, 1, 1), D(2012, 6, 1))
    add("GB 2760-2014", D(2014, 12, 24), D(2015, 5, 24))
    add("GB 2760-2024", D(2024, 2, 8), D(2025, 2, 8))
    add("GB 2760-2014/XG1-2021", D(2021, 3, 1), D(2021, 3, 1))
    add("GB/T 400-2000", D(2000, 1, 1), D(2000, 6, 1), abolished_on=D(2017, 3, 23))
    add("GB/T 500-2000", D(2000, 1, 1), D(2000, 6, 1), abolished_on=D(2018, 1, 1))
    add("GB/T 501-2018", D(2018, 1, 1), D(2018, 1, 1))
    add("GB 600-2010", D(2010, 1, 1), D(2010, 6, 1))
    add("GB 600-2015", D(2015, 1, 1), D(2015, 6, 1), abolished_on=D(2020, 1, 1))
    add("GB/T 1001-2019", D(2019, 1, 1), D(2019, 6, 1))
    pairs = [("GB/T 1.1-2020", "GB/T 1.1-2009"), ("GB 100-2010", "GB 100-2000"),
             ("GB 100-2020", "GB 100-2010"), ("GB 201-2015", "GB 200-2005"),
             ("GB 202-2015", "GB 200-2005"), ("GB 302-2012", "GB 300-2001"),
             ("GB 302-2012", "GB 301-2001"), ("GB 2760-2024", "GB 2760-2014"),
             ("GB 600-2015", "GB 600-2010")]
    for new, old in pairs:
        relate(s[new], s[old])
    relate(s["GB 2760-2014/XG1-2021"], s["GB 2760-2014"], RelationKind.AMENDS)
    relate(s["GB/T 501-2018"], s["GB/T 500-2000"], RelationKind.PARTIALLY_REPLACES)
    return s


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", password="pw", email="alice@example.com")


@pytest.fixture
def bob(db):
    return User.objects.create_user("bob", password="pw", email="bob@example.com")
