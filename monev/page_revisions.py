"""Database triggers that keep Report.revision and Office.calendar_revision moving with every
row the cached page parts show (monev.fragments, monev.selectors.reports).

A write to those rows by any path (a service, the admin, a shell's QuerySet.update or
bulk_create, raw SQL, loaddata, restore) raises the revision of the reports it shows on, in the
same statement, so no cache key made of a revision can find a stale copy. A revision never
goes back, not even when a full save writes an old value or a restore brings old rows: it
becomes at least the database's clock in milliseconds, above every value handed out before.

Triggers live outside the migration history: they are dropped before ``migrate`` (SQLite
rebuilds a table to alter it, which would lose them or trip over them) and created again after
it, also after ``flush``.
"""

from django.apps import apps
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate

# Milliseconds since 1970 by the database's clock: a bump never lands below it.
NOW_MS = {
    "sqlite": "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
    "postgresql": "(extract(epoch FROM clock_timestamp()) * 1000)::bigint",
}
GREATEST = {"sqlite": "MAX", "postgresql": "GREATEST"}
DIFFERS = {"sqlite": "IS NOT", "postgresql": "IS DISTINCT FROM"}
PREFIX = "monev_rev_"


def _tables() -> dict[str, str]:
    names = {
        "report": "monev.Report",
        "office": "monev.Office",
        "staff": "monev.Staff",
        "schedule": "monev.WorkSchedule",
    }
    return {key: apps.get_model(label)._meta.db_table for key, label in names.items()}


def _shown() -> list[tuple[str, str, tuple[str, ...]]]:
    """(model, which reports a row shows on, given the row as {row}, the columns whose change
    matters; empty: every change). Each also counts on insert and delete."""
    t = _tables()
    return [
        ("monev.StepLog", "id = {row}.report_id", ()),
        ("monev.SectionSubmission", "id = {row}.report_id", ()),
        ("monev.DraftVersion", "id = {row}.report_id", ()),
        ("monev.Section", "office_id = {row}.office_id", ()),
        ("monev.SopStep", "sop_id = {row}.sop_id", ()),
        ("monev.Sop", "sop_id = {row}.id", ()),
        ("monev.Office", "office_id = {row}.id", ()),
        # Names in the log; signing in only stamps last_login.
        (
            "auth.User",
            f"office_id IN (SELECT office_id FROM {t['staff']} WHERE user_id = {{row}}.id)",
            ("username", "first_name", "last_name"),
        ),
    ]


def _calendar() -> list[tuple[str, str]]:
    """(model, the office whose hours a row belongs to, NULL for every office)."""
    t = _tables()
    return [
        ("monev.OfficeHoliday", "{row}.office_id"),
        ("monev.WorkSchedule", "{row}.office_id"),
        (
            "monev.WorkDay",
            f"(SELECT office_id FROM {t['schedule']} WHERE id = {{row}}.schedule_id)",
        ),
    ]


def _statements(vendor: str) -> list[tuple[str, str, str, str, str]]:
    """(name, table, event, condition on OLD/NEW or "", body statement) of every trigger."""
    t = _tables()
    bump = f"{GREATEST[vendor]}({{old}} + 1, {NOW_MS[vendor]})"
    found = []
    for label, reports, columns in _shown():
        table = apps.get_model(label)._meta.db_table
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            where = " OR ".join(f"({reports.format(row=row)})" for row in rows)
            # Touching a report lets its own trigger raise the revision (below).
            body = f"UPDATE {t['report']} SET revision = revision WHERE {where}"
            changed = " OR ".join(
                f"OLD.{c} {DIFFERS[vendor]} NEW.{c}" for c in columns if event == "UPDATE"
            )
            found.append((f"{PREFIX}{table}_{event[0].lower()}", table, event, changed, body))
    for label, office in _calendar():
        table = apps.get_model(label)._meta.db_table
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            where = " OR ".join(
                f"({office.format(row=row)}) IS NULL OR id = {office.format(row=row)}"
                for row in rows
            )
            body = (
                f"UPDATE {t['office']} SET calendar_revision = "
                f"{bump.format(old='calendar_revision')} WHERE {where}"
            )
            found.append((f"{PREFIX}{table}_{event[0].lower()}", table, event, "", body))
    return found


def _report_triggers(vendor: str) -> list[str]:
    """Every write to a report row, by anyone, raises its revision above the row's old one."""
    report, office = _tables()["report"], _tables()["office"]
    bump = f"{GREATEST[vendor]}({{old}} + 1, {NOW_MS[vendor]})"
    if vendor == "sqlite":
        # SQLite cannot assign NEW; an AFTER trigger's own UPDATE does not fire it again
        # (recursive_triggers is off).
        return [
            f"CREATE TRIGGER {PREFIX}{report}_u AFTER UPDATE ON {report} BEGIN "
            f"UPDATE {report} SET revision = {bump.format(old='OLD.revision')} "
            "WHERE id = NEW.id; END",
            f"CREATE TRIGGER {PREFIX}{report}_i AFTER INSERT ON {report} BEGIN "
            f"UPDATE {report} SET revision = revision WHERE id = NEW.id; END",
            # A new office row (a restore) must not meet a calendar cached under its old id.
            f"CREATE TRIGGER {PREFIX}{office}_ci AFTER INSERT ON {office} BEGIN "
            f"UPDATE {office} SET calendar_revision = "
            f"{bump.format(old='NEW.calendar_revision')} WHERE id = NEW.id; END",
        ]
    return [
        f"CREATE FUNCTION {PREFIX}{report}() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        f"NEW.revision := {bump.format(old='NEW.revision')}; "
        f"ELSE NEW.revision := {bump.format(old='OLD.revision')}; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {PREFIX}{report} BEFORE INSERT OR UPDATE ON {report} "
        f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}{report}()",
        f"CREATE FUNCTION {PREFIX}{office}_ci() RETURNS trigger AS $$ BEGIN "
        f"NEW.calendar_revision := {bump.format(old='NEW.calendar_revision')}; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {PREFIX}{office}_ci BEFORE INSERT ON {office} "
        f"FOR EACH ROW EXECUTE FUNCTION {PREFIX}{office}_ci()",
    ]


def create_sql(vendor: str) -> list[str]:
    sql = _report_triggers(vendor)
    for name, table, event, condition, body in _statements(vendor):
        if vendor == "sqlite":
            when = f" WHEN {condition}" if condition else ""
            sql.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"BEGIN {body}; END"
            )
        else:
            when = f" WHEN ({condition})" if condition else ""
            sql.append(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body}; "
                "RETURN NULL; END $$ LANGUAGE plpgsql"
            )
            sql.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} "
                f"EXECUTE FUNCTION {name}()"
            )
    return sql


def installed(connection) -> set[str]:
    """Names of the revision triggers the database holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [PREFIX + "%"],
            )
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", [PREFIX + "%"])
        return {row[0] for row in cursor.fetchall()}


def expected(vendor: str) -> set[str]:
    return {statement.split()[2] for statement in create_sql(vendor) if " TRIGGER " in statement}


def drop(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in installed(connection):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            return
        # Dropping the functions drops their triggers, whether or not the tables still exist.
        cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s", [PREFIX + "%"])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP FUNCTION IF EXISTS {name}() CASCADE")


def install(connection) -> None:
    if connection.vendor not in NOW_MS:
        raise NotImplementedError(f"No revision triggers for {connection.vendor}")
    drop(connection)
    tables = {table for _name, table, *_rest in _statements(connection.vendor)}
    if not tables <= set(connection.introspection.table_names()):
        return  # migrated backwards to before these tables: nothing to guard
    with connection.cursor() as cursor:
        for statement in create_sql(connection.vendor):
            cursor.execute(statement)


def _before_migrate(using, **kwargs) -> None:
    drop(connections[using])


def _after_migrate(using, **kwargs) -> None:
    install(connections[using])


def connect(app_config) -> None:
    pre_migrate.connect(_before_migrate, sender=app_config, dispatch_uid="rev-drop")
    post_migrate.connect(_after_migrate, sender=app_config, dispatch_uid="rev-install")
