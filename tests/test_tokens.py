from wcr.tokens import (
    REFERENCE_ALPHABET,
    digest,
    matches,
    new_manage_token,
    new_reference,
    normalise_reference,
)


def test_references_are_short_unambiguous_and_varied() -> None:
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    assert all(len(r) == 8 and set(r) <= set(REFERENCE_ALPHABET) for r in references)
    assert not set("0O1IL2Z5S8B") & set(REFERENCE_ALPHABET)


def test_typed_references_are_normalised() -> None:
    assert normalise_reference(" ab3d-efgh ") == "AB3DEFGH"


def test_manage_tokens_carry_at_least_128_bits_and_only_digests_are_compared() -> None:
    token = new_manage_token()
    assert len(token) * 6 >= 128
    assert matches(token, digest(token))
    assert not matches(token + "x", digest(token))
    assert digest(token) != token
