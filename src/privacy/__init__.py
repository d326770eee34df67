"""Data protection: personal data of visits is erased after the retention
(:mod:`.retention`, ``wcr purge``, daily in the worker), and a person's data is shown
or erased on request (:mod:`.person`, ``wcr person-export``, ``wcr person-erase``).

The feature owns no table: it works through the other features' public modules, whose
repositories hold the queries on their own rows.
"""
