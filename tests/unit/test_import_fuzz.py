"""Property-based fuzzing of the import CLI's core: any file is imported whole or refused whole."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.importer import ImportRejected, import_file
from bot.services.storage import Database

HEADER = "customer_id,name,id_last4,registered_phone,loan_id,outstanding,overdue_days"
cells = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
    st.sampled_from(["", "张伟", "3721", "108X", "13800000001", "L1", "-1", "1e999", "NaN", "0", "99999999"]),
    st.text(alphabet=string.digits, min_size=1, max_size=12),
)
rows = st.lists(st.lists(cells, min_size=5, max_size=9), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, header=st.sampled_from([HEADER, HEADER.upper(), "", "a,b"]), raw_tail=st.binary(max_size=20))
def test_any_customers_file_is_all_or_nothing(tmp_path, db_url, rows, header, raw_tail):
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path = tmp_path / "c.csv"
    path.write_bytes((header + "\n" + buf.getvalue()).encode("utf-8") + raw_tail)
    before = Database(db_url).customer_count()
    try:
        report = import_file("customers", path, db_url)
    except ImportRejected as rejected:
        assert rejected.errors and all(isinstance(e, str) and e for e in rejected.errors)
        assert Database(db_url).customer_count() == before
    else:
        assert report.rows >= 1
