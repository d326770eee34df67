"""The statistics' operations in the OpenAPI schema (see :mod:`wcr.api_docs`); the
sign-in problems are the staff guard's (accounts)."""

from __future__ import annotations

from wcr.api_docs import Example, Operation

WHO = (
    "the account is a front desk's, or a site admin's asking for another site "
    "(a site admin sees its own site only)"
)
SITE = "`site`: no site with that slug; `errors` names the field"
DAILY_HEAD = (
    "day,site,agency,service,booked,cancelled,no_shows,walk_ins,served,one_stop,"
    "wait_median_min,wait_p90_min,transaction_median_min,transaction_p90_min,"
    "lang_de,lang_en,lang_ar,lang_fr,lang_tr,lang_uk\r\n"
)

OPERATIONS = {
    "statsDailyCsv": Operation(
        problems={
            400: "`from` or `to` is not a date (YYYY-MM-DD), or `site` is too long",
            403: WHO,
            422: "`from` or `to` before 2000 or after 2100, `to` before `from`, more than "
            f"366 days (`code`: `date_out_of_range`, `range_reversed`, `range_too_long`); {SITE}",
        },
        response_examples={
            200: {
                "a day": Example(
                    "one service on one day",
                    DAILY_HEAD + "2026-10-05,bochum,citizens-office,registration,3,0,1,2,5,2,"
                    "3.5,17.5,10.3,22.3,1,2,1,0,2,0\r\n",
                )
            }
        },
    ),
    "statsMonthlyCsv": Operation(
        problems={
            400: "`year` is not a year from 2000 to 2100, or `site` is too long",
            403: WHO,
            422: SITE,
        },
    ),
}
