"""The ``consultdesk`` command: the root that mounts every feature's sub-commands."""

from __future__ import annotations

import importlib

import typer

from consultdesk import features
from consultdesk.bootstrap import Container
from consultdesk.cli.common import container, print_json, user_errors

app = typer.Typer(
    name="consultdesk",
    help=(
        "consultdesk — a consultation desk for banks.\n\n"
        "Configuration comes from the environment: CONSULTDESK_DATABASE_URL (default: an SQLite "
        "file in ./data), CONSULTDESK_SECRET_KEY, CONSULTDESK_LOG_FORMAT=json, … "
        "Every read command takes --json."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db = typer.Typer(help="Database schema: migrate and inspect.", no_args_is_help=True)
app.add_typer(db, name="db")

for _module in features.cli_modules():
    importlib.import_module(_module).register(app)


@db.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from consultdesk.db.migrate import current_revision, upgrade

    c = container()
    with user_errors():
        upgrade(c.engine, revision)
    typer.echo(f"数据库已迁移至 {current_revision(c.engine)}（{_where(c)}）")


@db.command("downgrade", context_settings={"ignore_unknown_options": True})
def db_downgrade(
    revision: str = typer.Argument(..., help="Target revision, or -1 for one step back"),
) -> None:
    """Step the schema back to REVISION (`-1`: one step). Back up first: a step back may
    drop tables and the rows in them."""
    from consultdesk.db.migrate import current_revision, downgrade

    c = container()
    with user_errors():
        downgrade(c.engine, revision)
    typer.echo(f"数据库已回退至 {current_revision(c.engine) or '（未迁移）'}（{_where(c)}）")


@db.command("current")
def db_current(as_json: bool = typer.Option(False, "--json")) -> None:
    """Show the schema revision of the configured database, and the newest one in the code."""
    from consultdesk.db.migrate import current_revisions, heads

    c = container()
    revs = current_revisions(c.engine)
    (head,) = heads()
    if as_json:
        print_json(
            {
                "revision": "+".join(revs) if revs else None,
                "head": head,
                "up_to_date": revs == [head],
                "dialect": c.engine.dialect.name,
            }
        )
        return
    if not revs:
        typer.echo(f"（未迁移）最新版本 {head}；请运行 consultdesk db upgrade")
    elif revs == [head]:
        typer.echo(f"{head}（最新）")
    else:
        typer.echo(f"{'+'.join(revs)}（最新版本为 {head}；请运行 consultdesk db upgrade）")


@db.command("check")
def db_check(as_json: bool = typer.Option(False, "--json")) -> None:
    """Compare the migrated database with the table definitions: exit 0 when they agree,
    1 (with each difference) when the database is behind or a table changed without a
    migration."""
    from consultdesk.db.migrate import check

    c = container()
    result = check(c.engine)
    if as_json:
        print_json(
            {
                "ok": result.ok,
                "current": result.current,
                "head": result.head,
                "differences": result.differences,
            }
        )
    elif result.ok:
        typer.echo(f"数据库结构与代码一致（{result.head}）")
    else:
        if not result.up_to_date:
            now = "+".join(result.current) or "未迁移"
            typer.echo(f"数据库版本 {now}，最新为 {result.head}；请运行 consultdesk db upgrade")
        for d in result.differences:
            typer.echo(f"  与表定义不一致：{d}")
    if not result.ok:
        raise typer.Exit(1)


def _where(c: Container) -> str:
    return c.engine.url.render_as_string(hide_password=True)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, min=1, max=65535, help="Port"),
    workers: int = typer.Option(1, min=1, max=16, help="Worker processes (PostgreSQL only for >1)"),
    keep_alive: int = typer.Option(
        75,
        "--keep-alive",
        min=1,
        max=3600,
        help="Seconds an idle HTTP connection stays open; keep it above the proxy's idle timeout",
    ),
) -> None:
    """Serve the console and the API."""
    import uvicorn

    from consultdesk.logs import configure_logging

    c = container()
    configure_logging(fmt=c.settings.log_format, level=c.settings.log_level)
    if workers > 1 and c.settings.is_sqlite:
        raise typer.BadParameter(
            "多进程需要 PostgreSQL；SQLite 请使用 --workers 1", param_hint="--workers"
        )
    uvicorn.run(
        "consultdesk.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        ws="websockets-sansio",
        ws_per_message_deflate=False,  # chat frames are short: compression costs CPU, saves little
        # A server that closes idle connections no later than its clients (uvicorn's 5 s
        # equals httpx's pool expiry, and is below a proxy's usual 60 s) races them: a
        # request sent on a connection being closed fails with a reset (load harness).
        timeout_keep_alive=keep_alive,
    )


demo_app = typer.Typer(help="The demo bank: load it and serve, or add months of history.")
app.add_typer(demo_app, name="demo")


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    serve_after: bool = typer.Option(
        True, "--serve/--no-serve", help="Serve the console afterwards"
    ),
    port: int = typer.Option(8000, min=1, max=65535),
) -> None:
    """Migrate, load the demo bank and knowledge base, print the demo logins, serve the console."""
    if ctx.invoked_subcommand is not None:
        return
    from consultdesk.demo import seed_demo
    from consultdesk.quality.history import generate_history, has_history

    c = container()
    with user_errors():
        logins = seed_demo(c)
        if not has_history(c.engine):  # three months behind the reports (issue 14)
            generate_history(engine=c.engine, now=c.clock.now(), months=3, consultations=3000)
        from consultdesk.simulation.live import seed_live

        live = seed_live(c)  # the desk at work: waiting, in hand, returning customers
        if not live.skipped:
            typer.echo(
                f"现场演示数据：{len(live.waiting)} 个排队中、{len(live.in_hand)} 个处理中、"
                f"{live.history} 条回头客历史咨询"
            )
    typer.echo("")
    typer.echo(f"示例数据已就绪：{c.engine.url.render_as_string()}")
    typer.echo("演示账号（仅用于演示）/ Demo logins (demo only):")
    typer.echo(f"  {'用户名 username':<16} {'密码 password':<22} {'机构':<4} {'姓名':<4} 角色 role")
    for login in logins:
        typer.echo(
            f"  {login.username:<16} {login.password:<22} {login.branch:<6} "
            f"{login.display_name:<4} {login.role}"
        )
    from consultdesk.corebank.sandbox import SandboxCoreBank

    if isinstance(c.corebank, SandboxCoreBank):
        typer.echo("演示客户（沙箱核心系统，虚构数据）/ Demo customers (sandbox, fictional):")
        for p in c.corebank.demo_profiles():
            typer.echo(
                f"  {p.customer_id}  {p.name:<4} 手机 {p.phone}  身份证后四位 {p.id_number[-4:]}"
            )
    if serve_after:
        typer.echo(f"控制台 / Console: http://127.0.0.1:{port}  （Ctrl+C 退出）")
        serve(host="127.0.0.1", port=port, workers=1, keep_alive=75)


@demo_app.command("seed")
def demo_seed(
    months: int = typer.Option(3, min=1, max=36, help="Full months of history before this one"),
    consultations: int = typer.Option(3000, min=1, max=5_000_000, help="How many in total"),
    seed: int = typer.Option(20261206, help="Random seed: the same seed gives the same data"),
    no_messages: bool = typer.Option(False, "--no-messages", help="Skip message rows"),
) -> None:
    """Add months of plausible history (consultations, messages, timers, calls,
    complaints, ratings, violations, AML alerts) so reports have something to show."""
    from consultdesk.demo import seed_demo
    from consultdesk.quality.history import generate_history

    c = container()
    with user_errors():
        seed_demo(c)
        report = generate_history(
            engine=c.engine,
            now=c.clock.now(),
            months=months,
            consultations=consultations,
            seed=seed,
            messages=not no_messages,
        )
    typer.echo(
        f"已生成 {report.consultations} 条咨询、{report.messages} 条消息"
        f"（{report.months[0]} 至 {report.months[-1]}）"
    )


@demo_app.command("simulate")
def demo_simulate(
    rate: float = typer.Option(6.0, min=0.1, max=600.0, help="Customers per minute, on average"),
    count: int | None = typer.Option(None, min=1, max=100_000, help="Stop after this many"),
    minutes: float | None = typer.Option(None, min=0.01, max=24 * 60, help="Stop after this long"),
    seed: int | None = typer.Option(None, help="Random seed (the same seed, the same stream)"),
) -> None:
    """Keep customers arriving: bot questions, hand-overs to agents, complaints, through
    the real bot, routing and SLA clocks, so every console page has something moving.
    Run it beside `consultdesk demo` (another terminal); Ctrl+C stops it."""
    from consultdesk.demo import seed_demo
    from consultdesk.simulation.runner import Arrival, SimulationReport, simulate

    c = container()
    report = SimulationReport()

    def shown(a: Arrival) -> None:
        report.arrivals.append(a)
        outcome = {"answered": "机器人已回答", "handed_over": "已转人工", "queued": "已排队"}
        typer.echo(
            f"{a.branch} {a.channel:<5} {a.kind:<9} {a.consultation_id} {outcome[a.outcome]}"
        )

    with user_errors():
        seed_demo(c)
        typer.echo(f"模拟客户来访：平均每分钟 {rate:g} 位（Ctrl+C 停止）")
        try:
            simulate(
                c,
                per_minute=rate,
                count=count,
                seconds=None if minutes is None else minutes * 60,
                seed=seed,
                on_arrival=shown,
            )
        except KeyboardInterrupt:
            pass
        finally:
            c.close()
    counts = report.counts()
    typer.echo(
        f"共 {len(report.arrivals)} 位：机器人回答 {counts.get('answered', 0)}，"
        f"转人工 {counts.get('handed_over', 0)}，排队 {counts.get('queued', 0)}"
    )


def main() -> None:
    app()
