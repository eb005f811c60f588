import pytest


@pytest.mark.postgress  # a typo of a registered marker
def test_typo() -> None:
    assert True
