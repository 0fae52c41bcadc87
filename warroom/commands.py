"""What each `warroom` subcommand does, given the war room and its parsed arguments."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.config import Config, whoami
from warroom.errors import Refused, UserError
from warroom.jsonview import incident_dict, outbox_dict, summary_dict
from warroom.model import Scope, Status, format_id
from warroom.service import Delivery, WarRoom, open_war_room, runbook_for
from warroom.textview import delivery_line, hms, list_row, show_text
from warroom.timeutil import utcnow

if TYPE_CHECKING:
    from warroom.backlog import BacklogItem


async def cmd_declare(room: WarRoom, args: argparse.Namespace) -> int:
    title, severity, detected_at, note = args.title, args.severity, args.at, args.note
    if args.from_alarm is not None:
        from warroom.alarmdeclare import read_alarm_declaration

        declared = await read_alarm_declaration(args.loaded_config, args.from_alarm, severity)
        title = title or declared.title
        severity = declared.severity
        detected_at = detected_at or declared.detected_at
        note = note or declared.note
    incident_id = await room.declare(
        title,
        severity,
        scope=Scope(tuple(args.tenant), tuple(args.endpoint)),
        detected_at=detected_at,
        note=note,
    )
    print(f"INC-{incident_id}")
    return 0


async def cmd_event(room: WarRoom, args: argparse.Namespace) -> int:
    event = await room.log(args.kind, " ".join(args.text), incident_id=args.incident, at=args.at)
    print(f"INC-{event.incident_id} {event.kind.value} at {hms(event.at)} UTC (entry {event.id})")
    return 0


async def cmd_retract(room: WarRoom, args: argparse.Namespace) -> int:
    event = await room.retract(args.entry, " ".join(args.reason), incident_id=args.incident)
    kind = event.data.get("kind", "entry")
    print(
        f"INC-{event.incident_id} entry {args.entry} ({kind}) retracted at {hms(event.at)} UTC "
        f"(entry {event.id}); it stays on the timeline, marked, and no longer counts"
    )
    return 0


async def cmd_reopen(room: WarRoom, args: argparse.Namespace) -> int:
    event = await room.reopen(" ".join(args.reason), incident_id=args.incident)
    incident = await room.incident(event.incident_id)
    phase = room.runbook.current_phase(incident.milestones)
    print(
        f"INC-{event.incident_id} reopened at {hms(event.at)} UTC (entry {event.id}); "
        f"phase: {phase.name}"
    )
    return 0


async def cmd_severity(room: WarRoom, args: argparse.Namespace) -> int:
    event = await room.change_severity(
        args.severity, incident_id=args.incident, reason=" ".join(args.reason)
    )
    if event is None:
        print(f"severity already {args.severity.value}; nothing logged")
    else:
        print(f"INC-{event.incident_id} severity {event.text}")
    return 0


async def cmd_role(room: WarRoom, args: argparse.Namespace) -> int:
    try:
        event = await room.assign_role(args.role, " ".join(args.name), incident_id=args.incident)
    except Refused as exc:
        print(f"{exc}; nothing logged")
        return 0
    print(f"{format_id(event.incident_id)}: {event.text}")
    return 0


async def cmd_list(room: WarRoom, args: argparse.Namespace) -> int:
    status = Status.OPEN if args.open else Status.RESOLVED if args.resolved else None
    incidents = await room.incidents(status)
    if args.json:
        print(json.dumps([summary_dict(i) for i in incidents], indent=2))
        return 0
    if not incidents:
        print("no incidents" if status is None else f"no {status.value} incidents")
        return 0
    now = utcnow()
    print(f"{'ID':<8} {'SEV':<6} {'STATUS':<9} {'DETECTED (UTC)':<17} {'AGE':>7}  TITLE")
    for item in incidents:
        print(list_row(item, now))
    return 0


async def cmd_show(room: WarRoom, args: argparse.Namespace) -> int:
    incident = await room.incident(args.incident)
    if args.json:
        from warroom.telemetry import series_json

        shown = incident_dict(incident, room.runbook)
        shown["telemetry"] = series_json(await room.telemetry(incident))
        print(json.dumps(shown, indent=2, ensure_ascii=False))
        return 0
    print(show_text(incident, room.runbook))
    chart = await room.chart_lines(incident)
    if chart:  # what the flight recorder kept, as the post-mortem's chart shows it
        print("\nTelemetry (p95 latency and ERROR lines per minute, UTC; markers below)")
        print("\n".join(f"  {line}" for line in chart))
    return 0


async def cmd_export(room: WarRoom, args: argparse.Namespace) -> int:
    template = Path(args.template) if args.template else None
    if args.output:
        path = await room.export_postmortem(
            args.incident, output=Path(args.output), template=template
        )
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(await room.render_postmortem(args.incident, template))
    return 0


async def cmd_report(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom.report_markdown import render_markdown

    report = await room.report(args.since)
    if args.json:
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_markdown(report)
    _write_output(text, args.output, f"wrote {args.output}")
    return 0


def _write_output(text: str, output: str | None, said: str) -> None:
    """To stdout, or atomically to the file `--output` names (then `said` on stderr)."""
    from warroom.outfile import write_output

    if not output:
        sys.stdout.write(text)
        return
    try:
        write_output(Path(output), text)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(said, file=sys.stderr)


async def _journal_line(config: Config, db: Path) -> str:
    # A check changes nothing: a journal that is not there yet stays that way.
    if not db.exists():
        return f"{db} (not created yet)"
    async with await open_war_room(config, db) as room:
        incidents = await room.incidents()
    open_count = sum(1 for i in incidents if i.status is Status.OPEN)
    return f"{db} ({len(incidents)} incidents, {open_count} open)"


async def cmd_check(config: Config, args: argparse.Namespace) -> int:
    """Where everything is, then every source probed once. Exit 1 when any source fails.
    Runs without a war room, so it does not create the journal (see `_journal_line`)."""
    from warroom.probe import format_table, probe_all

    runbook = runbook_for(config)
    steps = sum(len(p.steps) for p in runbook.phases)
    print(f"config:  {config.source or 'none found; built-in defaults'}")
    print(f"journal: {await _journal_line(config, args.db_path)}")
    print(f"author:  {whoami(config)}")
    source = config.runbook.file or "built-in"
    print(f"runbook: {source} ({len(runbook.phases)} phases, {steps} steps)")
    results = await probe_all(config)
    print()
    if not results:
        print(
            "no sources configured: add [[health.endpoints]], [ecs], [[logs.groups]] and [alarms]"
        )
        return 0
    print(format_table(results))
    failed = [r for r in results if not r.ok]
    print()
    print(f"{len(results) - len(failed)} of {len(results)} sources ok")
    return 1 if failed else 0


async def cmd_update(room: WarRoom, args: argparse.Namespace) -> int:
    text = args.text
    if text is None:
        draft = await room.draft_update(args.incident)
        text = draft.text
        if draft.missing:
            print(f"warroom: the draft still has {', '.join(draft.missing)}", file=sys.stderr)
    if not args.post:
        print(text)
        return 0
    deliveries = await room.post_update(text, incident_id=args.incident)
    for delivery in deliveries:
        _print_delivery(delivery)
    return 0 if all(d.ok for d in deliveries) else 1


async def cmd_outbox_list(room: WarRoom, args: argparse.Namespace) -> int:
    messages = await room.outbox()
    if args.json:
        print(json.dumps([outbox_dict(m) for m in messages], indent=2, ensure_ascii=False))
        return 0
    if not messages:
        print("the outbox is empty: every update was sent or discarded")
        return 0
    for m in messages:
        retry = m.next_attempt_at.strftime("%H:%M:%S") if m.next_attempt_at else "-"
        first_line = m.text.splitlines()[0] if m.text else ""
        print(
            f"#{m.id}  {format_id(m.incident_id)}  {m.channel:<8}  tries {m.attempts}  "
            f"next {retry}  {m.last_error or 'not tried yet'}\n    {first_line}"
        )
    return 0


async def cmd_outbox_retry(room: WarRoom, args: argparse.Namespace) -> int:
    deliveries = await room.retry_outbox_now()
    if not deliveries:
        print("the outbox is empty: nothing to retry")
    for delivery in deliveries:
        _print_delivery(delivery)
    return 0 if all(d.ok for d in deliveries) else 1


async def cmd_outbox_discard(room: WarRoom, args: argparse.Namespace) -> int:
    message = await room.discard_post(args.id)
    print(f"#{message.id} to {message.channel} discarded; it will not be sent")
    return 0


async def cmd_mitigate_list(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom import actions

    config: Config = args.loaded_config
    rows = actions.menu(config, room.runbook)
    width = max(len(r.name) for r in rows)
    for row in rows:
        kind = actions.find(config, row.name).target_kind
        targets = ", ".join(row.targets) or f"--target {kind}"
        print(f"{row.name:<{width}}  {row.description}")
        print(f"{'':<{width}}  situation: {row.situation}; targets: {targets}")
    if config.read_only:
        print("\nread-only mode is on: every action will be refused")
    return 0


async def cmd_mitigate_run(room: WarRoom, args: argparse.Namespace) -> int:
    """Argument errors (unknown action, target or incident, bad value) are UserErrors: exit 2,
    nothing journaled. A real attempt that is refused (read-only, nothing to roll back to, no
    rotation configured) is journaled as refused and exits 1, like a failed run."""
    action, plan = await room.plan_action(args.name, args.target, args.value)
    if args.dry_run:  # a preview, not an attempt: journals nothing, read-only or not
        print(plan.preview())
        print("dry run: nothing changed")
        return 1 if plan.refusal else 0
    incident_id = await room.target(args.incident)  # refuse before asking, not after
    refusal = room.action_refusal(plan)
    if refusal:
        if args.loaded_config.read_only:  # said before the preview, which is only that
            print(f"read-only mode: {plan.action} on {plan.target} will not run")
        print(plan.preview())
        _, event = await room.refuse_action(plan, refusal, incident_id=incident_id)
        print(f"INC-{event.incident_id} action: {event.text}")
        return 1
    print(plan.preview())
    confirmation: str | bool
    if args.yes:
        confirmation = plan.confirmation_word if plan.confirm == "type" else True
    else:
        # A pipe or a file is not a person: `echo y |` must not confirm a production change.
        if not sys.stdin.isatty():
            raise UserError("no terminal to confirm on: pass --yes to run without asking")
        try:
            if plan.confirm == "type":
                confirmation = input(f"type {plan.confirmation_word!r} to confirm: ").strip()
            else:
                confirmation = input("proceed? [y/N] ").strip().lower() in ("y", "yes")
        except EOFError:
            confirmation = False
        if confirmation is False:
            print("not confirmed; nothing changed")
            return 1
    outcome, event = await room.run_action(
        action, plan, confirmation=confirmation, incident_id=incident_id
    )
    print(f"INC-{event.incident_id} action: {event.text}")
    return 0 if outcome.ok else 1


async def cmd_action_items_list(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom import backlog

    rows = await room.backlog(open_only=args.open)
    if args.json:
        sys.stdout.write(backlog.to_json(rows))
    elif not rows:
        print("no open action items" if args.open else "no action items")
    else:
        print(backlog.format_table(rows))
    return 0


async def cmd_action_items_export(room: WarRoom, args: argparse.Namespace) -> int:
    from warroom import backlog

    if args.github is None:
        if args.dry_run:
            raise UserError("--dry-run goes with --github")
        rows = await room.backlog(open_only=args.open)
        text = backlog.to_csv(rows) if args.format == "csv" else backlog.to_json(rows)
        _write_output(text, args.output, f"wrote {len(rows)} action items to {args.output}")
        return 0
    if args.output:
        raise UserError("--output goes with --format; --github writes to GitHub")
    repo = backlog.check_repo(args.github)
    rows = await room.backlog(open_only=True)
    todo = backlog.pending(rows)
    if args.dry_run:
        for row in todo:
            title = backlog.issue_payload(row)["title"]
            print(f"would create: {row.incident_ref} item {row.item.id}: {title}")
        print(f"dry run: {len(todo)} issues would be created in {repo}; nothing changed")
        return 0
    if not todo:
        print(f"nothing to create in {repo}: every open action item has an issue")
        await _tick_backlog(room, rows)
        return 0

    def report(result: backlog.IssueResult) -> None:
        where = f"{result.row.incident_ref} item {result.row.item.id}"
        if result.found:
            print(f"found {where}: {result.url} (made by an earlier run; linked)", flush=True)
        elif result.ok:
            print(f"created {where}: {result.url}", flush=True)
        else:
            print(f"warroom: {where}: {result.error}", file=sys.stderr, flush=True)

    run = await room.create_github_issues(repo, rows, on_result=report)
    summary = f"{len(run.created)} issues created in {repo}"
    if run.failed:
        summary += f", {len(run.failed)} failed"
    if run.not_tried:
        summary += f", {len(run.not_tried)} not tried"
    print(summary + ("" if run.ok else "; run again to create the rest"))
    await _tick_backlog(room, rows)
    return 0 if run.ok else 1


async def _tick_backlog(room: WarRoom, rows: list[BacklogItem]) -> None:
    """Step 12 ticked where every open item now has an issue, and said."""
    for event in await room.tick_backlog(r.item.incident_id for r in rows):
        print(f"INC-{event.incident_id}: every open action item is in the backlog; {event.text}")


def _print_delivery(delivery: Delivery) -> None:
    line, error = delivery_line(delivery)
    print(line, file=sys.stderr if error else sys.stdout)
