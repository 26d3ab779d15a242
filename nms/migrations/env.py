"""Alembic environment: runs migrations on the connection nms.db.migrate() hands over."""

from alembic import context

import inventory.models  # noqa: F401 - registers the inventory tables on Base.metadata
import nms.alarms  # noqa: F401 - alarms, alarm_events, alarm_counters
import nms.configs  # noqa: F401 - config_versions
import nms.state  # noqa: F401 - device_state
from nms.db import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` CLI use (revision --autogenerate) via NMS_DATABASE_URL
    import os

    from nms.db import make_engine

    engine = make_engine(os.environ.get("NMS_DATABASE_URL", "sqlite:///data/nms.db"))
    connection = engine.connect()

context.configure(connection=connection, target_metadata=target_metadata,
                  render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
