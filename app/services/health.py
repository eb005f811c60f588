"""What /healthz reports."""

from sqlmodel import Session

from app.services.dataset import current_version


def dataset_status(*, session: Session) -> dict[str, object]:
    """Reads the dataset version, which also proves the database answers."""
    return {"status": "ok", "dataset_version": current_version(session=session)}
