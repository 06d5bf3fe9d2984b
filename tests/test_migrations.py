"""Migrations build the schema the models describe, on an empty database of each kind."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, Table, insert, inspect, text
from sqlalchemy.exc import SAWarning
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.conftest import Backend
from xietong.migrate import (
    current_revision,
    downgrade_to,
    head_revision,
    upgrade_to,
    upgrade_to_head,
)
from xietong.models import Base
from xietong.runtime import Runtime
from xietong.search.models import include_name, include_object_for


def _schema_differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={
        "compare_type": True, "include_name": include_name,
        # The FTS5 tables (SQLite) and the GIN index (PostgreSQL) exist on one database only.
        "include_object": include_object_for(connection.dialect.name)})
    with warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; SQLAlchemy and Alembic warn and skip them.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", SAWarning)
        return list(compare_metadata(context, Base.metadata))


async def test_empty_database_migrates_to_models_and_back(backend: Backend) -> None:
    name = f"xietong_migrate_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    try:
        assert await current_revision(runtime) is None
        await upgrade_to_head(runtime)
        assert await current_revision(runtime) == head_revision()
        async with runtime.engine.connect() as connection:
            assert await connection.run_sync(_schema_differences) == []
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"users", "departments", "auth_tokens", "audit_log"} <= tables

        # Upgrading again is a no-op, so every node may run it on start.
        await upgrade_to_head(runtime)
        await downgrade_to(runtime, "base")
        async with runtime.engine.connect() as connection:
            left = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert left <= {"alembic_version"}
        await upgrade_to_head(runtime)
        assert await current_revision(runtime) == head_revision()
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(backend: Backend,
                                                         runtime: Runtime) -> None:
    if backend.is_postgres:
        pytest.skip("SQLite pragmas; the PostgreSQL run covers its own engine")
    async with runtime.engine.connect() as connection:
        assert (await connection.scalar(text("PRAGMA journal_mode"))).lower() == "wal"
        assert await connection.scalar(text("PRAGMA foreign_keys")) == 1


async def _as_migrated(connection: AsyncConnection, name: str) -> Table:
    """The model's table `name` with only the columns the database has at its revision (later
    migrations add some), each with the model's default."""
    present = await connection.run_sync(
        lambda c: {column["name"] for column in inspect(c).get_columns(name)})
    model = Base.metadata.tables[name]
    return Table(name, MetaData(), *(column._copy() for column in model.columns
                                     if column.name in present))


async def test_rebuilding_the_messages_table_keeps_everything_that_refers_to_it(
        backend: Backend) -> None:
    """0005 rebuilds `messages` on SQLite (a constraint changes). Dropping the old table with
    foreign keys enforced would cascade-delete replies, reactions, edits, pins and mentions;
    every row must survive the upgrade, and the downgrade too."""
    name = f"xietong_rebuild_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    children = ("message_edits", "reactions", "pins", "message_mentions", "thread_followers")
    try:
        await upgrade_to(runtime, "0004")
        # Through the models' tables (their defaults fill the other columns): 0005 changes
        # no column, only a constraint.
        rows: list[tuple[str, dict[str, Any]]] = [
            ("users", {"id": 1, "username": "zhangwei", "display_name": "张伟"}),
            ("channels", {"id": 1, "kind": "private", "name": "重建"}),
            ("messages", {"id": 1, "channel_id": 1, "sender_id": 1, "text": "根", "html": "",
                          "reply_count": 1, "client_msg_id": "c-1"}),
            ("messages", {"id": 2, "channel_id": 1, "sender_id": 1, "text": "回复", "html": "",
                          "thread_root_id": 1}),
            ("message_edits", {"message_id": 1, "text": "旧"}),
            ("reactions", {"message_id": 1, "emoji": "👍", "user_id": 1}),
            ("pins", {"channel_id": 1, "message_id": 1, "pinned_by": 1}),
            ("message_mentions", {"user_id": 1, "channel_id": 1, "message_id": 2}),
            ("thread_followers", {"root_id": 1, "user_id": 1}),
        ]
        async with runtime.engine.begin() as connection:
            for table, values in rows:
                await connection.execute(insert(await _as_migrated(connection, table)), values)

        async def counts() -> dict[str, int]:
            async with runtime.engine.connect() as connection:
                return {table: await connection.scalar(text(f"SELECT count(*) FROM {table}"))
                        for table in ("messages", *children)}

        everything = {"messages": 2, **dict.fromkeys(children, 1)}
        assert await counts() == everything
        await upgrade_to_head(runtime)
        assert await counts() == everything
        await downgrade_to(runtime, "0004")
        assert await counts() == everything
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_search_items_move_onto_scopes_and_stay_findable(backend: Backend) -> None:
    """0012 gives the index rows a generic scope: a message indexed before it is found in
    its channel's scope after it (the document's scope token renamed in place, the FTS5
    triggers made again on SQLite), and the downgrade gives the old token back."""
    name = f"xietong_scopes_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    if backend.is_postgres:
        document = "'报价':1 '单':2 '__c7' '__a1'"

        def matching(token: str) -> str:
            return f"SELECT id FROM search_items WHERE document @@ CAST('{token}' AS tsquery)"
    else:
        document = "报价 单 __c7 __a1"

        def matching(token: str) -> str:
            return f"""SELECT rowid FROM search_fts WHERE search_fts MATCH '"{token}"'"""

    async def found(token: str) -> list[int]:
        async with runtime.engine.connect() as connection:
            return list((await connection.scalars(text(matching(token)))).all())

    try:
        await upgrade_to(runtime, "0011")
        async with runtime.engine.begin() as connection:
            # Through the models' tables (their defaults fill the other columns): 0012
            # changes neither.
            await connection.execute(insert(await _as_migrated(connection, "users")),
                                     {"id": 1, "username": "zhangwei", "display_name": "张伟"})
            await connection.execute(insert(await _as_migrated(connection, "channels")),
                                     {"id": 7, "kind": "public", "name": "报价"})
            await connection.execute(text(
                "INSERT INTO search_items (id, kind, item_id, channel_id, author_id, created_at,"
                " has_file, in_thread, document) VALUES (5, 'message', 40, 7, 1,"
                " CURRENT_TIMESTAMP, false, false, :document)"), {"document": document})
        assert await found("__c7") == [5]

        await upgrade_to_head(runtime)
        async with runtime.engine.connect() as connection:
            row = (await connection.execute(text(
                "SELECT scope_kind, scope_id FROM search_items WHERE id = 5"))).one()
        assert tuple(row) == ("channel", 7)
        assert await found("__channel_7") == [5]
        assert await found("__c7") == []
        assert await found("__a1") == [5]  # the other tokens untouched

        await downgrade_to(runtime, "0011")
        assert await found("__c7") == [5]
        assert await found("__channel_7") == []
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_channels_made_before_the_directory_are_found_by_pinyin(backend: Backend) -> None:
    """0014 writes the search text and sort key of the channels that exist, as the server
    writes them for a new or renamed channel."""
    name = f"xietong_directory_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    try:
        await upgrade_to(runtime, "0013")
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "channels")), [
                {"id": 1, "kind": "public", "name": "前端技术交流"},
                {"id": 2, "kind": "dm", "name": "", "dm_key": "1,2"}])
        await upgrade_to_head(runtime)
        async with runtime.engine.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT id, search_text, sort_key FROM channels ORDER BY id"))).all()
        assert [tuple(row) for row in rows] == [
            (1, "前端技术交流 qianduanjishujiaoliu qdjsjl", "qian duan ji shu jiao liu"),
            (2, "", "")]
        await downgrade_to(runtime, "0013")
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_the_account_ensure_owner_made_becomes_a_setup_account(backend: Backend) -> None:
    """0015 marks the "admin" that `ensure-owner` made as a setup account (hidden from
    colleagues' directory) when it is still as made; an admin someone has made a person of
    (a title, a department, another name), and everyone else, stay people."""
    name = f"xietong_setup_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))

    async def setup_accounts() -> list[int]:
        async with runtime.engine.connect() as connection:
            return list((await connection.scalars(text(
                "SELECT id FROM users WHERE setup_account ORDER BY id"))).all())

    try:
        await upgrade_to(runtime, "0014")
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "users")), [
                {"id": 1, "username": "admin", "display_name": "管理员 Admin"},
                {"id": 2, "username": "zhangwei", "display_name": "张伟"},
                {"id": 3, "username": "wangfang", "display_name": "管理员 Admin"},
                {"id": 4, "username": "admin2", "display_name": "管理员 Admin",
                 "title": "信息部经理"}])
        await upgrade_to_head(runtime)
        assert await setup_accounts() == [1]

        # The same, for an admin already in a department: a person.
        await downgrade_to(runtime, "0014")
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "departments")),
                                     {"id": 1, "name": "信息部"})
            await connection.execute(insert(await _as_migrated(connection, "department_members")),
                                     {"department_id": 1, "user_id": 1, "is_primary": True})
        await upgrade_to_head(runtime)
        assert await setup_accounts() == []
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_requests_filed_before_search_knew_them_are_found_after(backend: Backend) -> None:
    """0021 indexes the requests that exist, as the server indexes one it files: their
    requester finds them by a word and by number, an outsider does not; the downgrade takes
    them out of the index again."""
    from xietong.core.actor import Actor, Role
    from xietong.core.clock import utcnow
    from xietong.search.views import search_results

    name = f"xietong_requests_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))

    async def found(user_id: int, q: str) -> list[tuple[str, int]]:
        async with runtime.reader() as uow:
            results = await search_results(uow, Actor(user_id, Role.MEMBER), q,
                                           scopes=runtime.readable_scopes, now=utcnow())
        return [(hit.kind, hit.request.id if hit.kind == "request" else
                 hit.message.id if hit.kind == "message" else 0) for hit in results.items]

    async def indexed() -> list[tuple[Any, ...]]:
        async with runtime.engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(
                "SELECT kind, item_id, scope_kind, scope_id, author_id FROM search_items"
                " ORDER BY item_id"))).all()]

    try:
        await upgrade_to(runtime, "0019")
        now = utcnow()
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "users")), [
                {"id": 1, "username": "liuyang", "display_name": "刘洋"},
                {"id": 2, "username": "wangfang", "display_name": "王芳"}])
            await connection.execute(insert(await _as_migrated(connection, "departments")),
                                     {"id": 1, "name": "研发部"})
            await connection.execute(insert(await _as_migrated(connection, "requests")), [
                {"id": n, "department_id": 1, "requester_id": 1, "title": title,
                 "description": "华东区客户下周演示", "values": {"system": "用友财务系统"},
                 "created_at": now, "updated_at": now, "response_due_at": now,
                 "resolution_due_at": now, "response_sla_hours": 2.0,
                 "resolution_sla_hours": 8.0}
                for n, title in ((1, "客户演示环境需要新增报表导出"), (2, "差旅报销系统权限申请"))])
        await upgrade_to_head(runtime)
        assert await indexed() == [("request", 1, "request", 1, 1),
                                   ("request", 2, "request", 2, 1)]
        assert await found(1, "报表导出") == [("request", 1)]
        assert await found(1, "REQ-00002") == [("request", 2)]
        assert await found(1, "财务系统 报销") == [("request", 2)]
        assert await found(2, "报表导出") == []

        await downgrade_to(runtime, "0019")
        assert await indexed() == []
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_each_projects_label_set_is_seeded_from_its_tasks_labels(backend: Backend) -> None:
    """0025 gives every project the labels its tasks already carry (in the order first met,
    coloured in turn), so no task's labels fall outside its project's set."""
    name = f"xietong_labels_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    try:
        await upgrade_to(runtime, "0023")
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "users")),
                                     {"id": 1, "username": "lina", "display_name": "李娜"})
            await connection.execute(insert(await _as_migrated(connection, "projects")), [
                {"id": 1, "name": "新品上市", "owner_id": 1},
                {"id": 2, "name": "官网改版", "owner_id": 1}])
            await connection.execute(insert(await _as_migrated(connection, "project_statuses")),
                                     [{"id": 1, "project_id": 1, "name": "待处理",
                                       "category": "todo", "position": 0},
                                      {"id": 2, "project_id": 2, "name": "待处理",
                                       "category": "todo", "position": 0}])
            await connection.execute(insert(await _as_migrated(connection, "tasks")), [
                {"id": 1, "project_id": 1, "title": "a", "status_id": 1, "rank": "a",
                 "labels": ["市场", "物料"]},
                {"id": 2, "project_id": 1, "title": "b", "status_id": 1, "rank": "b",
                 "labels": ["设计", "市场"]},
                {"id": 3, "project_id": 2, "title": "c", "status_id": 2, "rank": "a",
                 "labels": []}])
        await upgrade_to_head(runtime)
        async with runtime.engine.connect() as connection:
            rows = (await connection.execute(text(
                "SELECT project_id, name, color, position FROM project_labels"
                " ORDER BY project_id, position"))).all()
        assert [tuple(row) for row in rows] == [
            (1, "市场", "blue", 0), (1, "物料", "green", 1), (1, "设计", "orange", 2)]
        await downgrade_to(runtime, "0023")
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_projects_and_tasks_made_before_search_knew_them_are_found_after(
        backend: Backend) -> None:
    """0026 indexes the projects and tasks that exist, as the server indexes one it makes:
    a member finds them by a word and by number, an outsider does not; the downgrade takes
    them out of the index again."""
    from xietong.core.actor import Actor, Role
    from xietong.core.clock import utcnow
    from xietong.search.views import search_results

    name = f"xietong_projects_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))

    async def found(user_id: int, q: str) -> list[tuple[str, int]]:
        async with runtime.reader() as uow:
            results = await search_results(uow, Actor(user_id, Role.MEMBER), q,
                                           scopes=runtime.readable_scopes, now=utcnow())
        return [(hit.kind, hit.task.id if hit.kind == "task" else
                 hit.project.id if hit.kind == "project" else 0) for hit in results.items]

    async def indexed() -> list[tuple[Any, ...]]:
        async with runtime.engine.connect() as connection:
            return [tuple(row) for row in (await connection.execute(text(
                "SELECT kind, item_id, scope_kind, scope_id, author_id FROM search_items"
                " ORDER BY kind, item_id"))).all()]

    try:
        await upgrade_to(runtime, "0023")
        now = utcnow()
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "users")), [
                {"id": 1, "username": "lina", "display_name": "李娜"},
                {"id": 2, "username": "wangfang", "display_name": "王芳"}])
            await connection.execute(insert(await _as_migrated(connection, "projects")), {
                "id": 1, "name": "仓储系统升级", "description": "替换旧的库存管理", "owner_id": 1,
                "visibility": "members", "created_at": now, "updated_at": now})
            await connection.execute(
                insert(await _as_migrated(connection, "project_members")),
                {"project_id": 1, "user_id": 1, "role": "owner"})
            await connection.execute(
                insert(await _as_migrated(connection, "project_statuses")),
                {"id": 1, "project_id": 1, "name": "待处理", "category": "todo", "position": 0})
            await connection.execute(insert(await _as_migrated(connection, "tasks")), [
                {"id": n, "project_id": 1, "title": title, "description": "", "status_id": 1,
                 "description_html": "", "priority": "normal", "labels": [], "rank": f"a{n}",
                 "created_by": 1, "created_at": now, "updated_at": now}
                for n, title in ((1, "盘点库存接口"), (2, "旧系统数据迁移"))])
        await upgrade_to_head(runtime)
        assert await indexed() == [("project", 1, "project", 1, 1),
                                   ("task", 1, "project", 1, 1), ("task", 2, "project", 1, 1)]
        assert await found(1, "库存接口") == [("task", 1)]
        assert await found(1, "T-2") == [("task", 2)]
        assert await found(1, "仓储系统") == [("project", 1)]
        assert await found(2, "库存") == []

        await downgrade_to(runtime, "0023")
        assert await indexed() == []
    finally:
        await runtime.close()
        await backend.drop_database(name)


async def test_departments_made_before_documents_get_their_spaces(backend: Backend) -> None:
    """0027 gives every department already there its space, with the grants a department
    made from now on gets (its department edits, everyone reads); the downgrade drops them."""
    from xietong.core.actor import Actor, Role
    from xietong.documents.access import access_space

    name = f"xietong_spaces_{backend.run_id}"
    await backend.create_database(name)
    runtime = Runtime(backend.settings(database_url=backend.database_url(name)))
    try:
        await upgrade_to(runtime, "0026")
        async with runtime.engine.begin() as connection:
            await connection.execute(insert(await _as_migrated(connection, "users")), [
                {"id": 1, "username": "lina", "display_name": "李娜"},
                {"id": 2, "username": "wangfang", "display_name": "王芳"}])
            await connection.execute(insert(await _as_migrated(connection, "departments")), [
                {"id": 1, "name": "研发部", "parent_id": None},
                {"id": 2, "name": "前端组", "parent_id": 1},
                {"id": 3, "name": "客服部", "parent_id": None}])
            await connection.execute(insert(await _as_migrated(
                connection, "department_members")), [
                {"department_id": 2, "user_id": 1, "is_primary": True},
                {"department_id": 3, "user_id": 2, "is_primary": True}])
        await upgrade_to_head(runtime)
        async with runtime.reader() as uow:
            levels = {}
            for space_id in (1, 2, 3):
                found = await access_space(uow, Actor(1, Role.MEMBER), space_id)
                levels[found.space.name] = (found.space.department_id, found.level.label)
        # 李娜 works in 前端组, below 研发部: she edits both, and reads 客服部's.
        assert levels == {"研发部": (1, "edit"), "前端组": (2, "edit"), "客服部": (3, "view")}
        await downgrade_to(runtime, "0026")
        async with runtime.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert "doc_spaces" not in tables
    finally:
        await runtime.close()
        await backend.drop_database(name)
