"""Times as people read them: China Standard Time (UTC+8), the call centre's clock.

Every time a person reads (the evidence packet, a story's date) is written here,
whatever time zone the server runs in. Rasa's events carry Unix timestamps; the
project database keeps naive UTC datetimes (`datetime.utcnow()`); both are taken as
what they are and shown in this one zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Union

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "UTC+8")
ZONE_LABEL = "中国标准时间（北京时间，UTC+8）"
FORMAT = "%Y-%m-%d %H:%M:%S"


def china_time(value: Union[None, int, float, dt.datetime], fmt: str = FORMAT) -> str:
    """`value` in China Standard Time: a Unix timestamp, an aware datetime, or a naive one taken as UTC.

    Empty for no value (None or a zero timestamp).
    """
    if value is None or (not isinstance(value, dt.datetime) and not value):
        return ""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
    else:
        moment = dt.datetime.fromtimestamp(float(value), dt.timezone.utc)
    return moment.astimezone(CHINA_TZ).strftime(fmt)
