"""The waitlist: when nothing is free, the visitor waits for the next place that frees.

Design (see :mod:`.offers` for the details of the offer):

- **Join** (``POST /api/v1/waitlist``): one entry per site, service and range of local
  days, with the same challenge as booking; or a **one-stop entry**: a ``package`` (its
  services, weekdays and hours; a range without one of its weekdays is 422 on
  ``from``) or 2-5 ``services``, resolved as booking's one-stop search resolves them,
  its services kept in ``services`` (``",3,7,"``). "One open entry per contact and
  service" is a unique index on ``<contact key>:<service>`` (``<contact key>:3+7``
  for a set of services, packages alike; e-mail and phone each), NULL once the entry
  ended. The answer is a reference and a token (only its SHA-256 is stored;
  the token travels in the Authorization header or a URL fragment, never a query).
- **Offer**: booking emits ``PlaceFreed`` (cancelled, rescheduled away, dropped,
  withdrawn, a hold that ended) and ``PlacesAdded`` (published, capacity raised or
  moved) inside the transaction of the change; the waitlist's subscriber takes the
  place with booking's conditional update and only then picks the earliest-joined
  fitting entry (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``BEGIN IMMEDIATE`` on
  SQLite), so capacity alone keeps a place from being held twice or held and booked,
  and concurrent offers go in joining order. A one-stop entry fits only when the
  freed place completes a whole visit that booking's one-stop search finds on that
  day; then every place of the earliest such visit is taken by the same update (or
  given back, and the next visit or entry tried) and held for it together. The hold
  lasts the entry's ``WCR_WAITLIST_HOLD_MINUTES`` (taken at joining), at most half
  the time left before the (first) place starts.
- **Claim** (``POST /api/v1/waitlist/{reference}/claim``): one conditional update of
  the hold (``status = 'held' AND expires_at > now``) and a booking of the held places
  (booking's ``book_held``, which does not take them again; a one-stop hold's places
  are one visit, of its package if any), in one transaction.
- **Pass on** (:mod:`.sweep`, the worker's round): expired holds give their place back
  and emit ``PlaceFreed(HOLD_ENDED)``, so the next entry is offered it (never one that
  held that slot before); an entry offered ``WCR_WAITLIST_MAX_OFFERS`` times, or whose
  last day passed, lapses. Leaving declines a live hold the same way. A one-stop
  hold's rows run out, are declined and give their places back together.
- **Withdrawn** (:func:`.offers.offers_withdrawn`): a held place is no booking, so the
  agency withdraws its slot without ``force`` (and closing a day withdraws it with the
  free ones); booking emits ``SlotsWithdrawn`` in that transaction and every hold
  touching those slots ends there (status ``withdrawn``), the entry waits again in its
  place with the offer not counted, and a one-stop hold's other places are given back
  and offered on. A claim racing the withdrawal: the claim's hold update and the
  withdrawal's are on the same rows, so one waits for the other; a withdrawal that
  waited reads the slot's bookings again and refuses (409) if the claim booked (a
  closing day keeps such a slot, booked). A withdrawal (slot, then holds) and a leave
  or the sweep (holds, then slot) can wait for each other: PostgreSQL aborts one of
  them, and :func:`wcr.database.retrying_deadlocks` runs that use case again.
"""
