"""The `salnameh` command: every step of the cycle from a terminal.

Exit codes: 0 done, 1 the work found problems (a failed check) or the machine refused
(a full disk, the warehouse held by another program), 2 bad usage, 3 refused (a role, a
sign-in).
Commands that scripts consume take --json.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import signal
import sys
from pathlib import Path

import click

from salnameh.catalog import CatalogError, load_catalog
from salnameh.catalog_check import check_catalog
from salnameh.declarations import TableDecl
from salnameh.reference import Reference
from salnameh.settings import PROJECT_ROOT, home


class _Salnameh(click.Group):
    """The command group; what the machine refuses (another program holding the warehouse,
    a full disk) ends any command with a message and exit 1, not a traceback; a ledger URL
    that names no reachable database exits 2, said plainly (never the password)."""

    def invoke(self, ctx: click.Context):
        from salnameh.ledger_db import LedgerURLError
        from salnameh.warehouse import WarehouseHeld

        try:
            return super().invoke(ctx)
        except LedgerURLError as error:
            click.echo(str(error), err=True)
            sys.exit(2)
        except WarehouseHeld as held:
            click.echo(f"{held.en}\n{held.fa}", err=True)
            sys.exit(1)
        except Exception as error:
            if not _disk_full(error, ctx.obj.root):
                raise
            where = getattr(error, "filename", None) or ctx.obj.root
            click.echo(
                f"The disk is full ({where}): what was being written was not kept; free "
                "some space and run the same command again.\n"
                f"دیسک پر است ({where}): آنچه در حال نوشتن بود نگه داشته نشد؛ جا باز کنید و "
                "همین فرمان را دوباره اجرا کنید.",
                err=True,
            )
            sys.exit(1)


def _disk_full(error: BaseException, root: Path) -> bool:
    """ENOSPC as Python, SQLite (the ledger) and DuckDB (the warehouse) each report it;
    SQLite says only "disk I/O error" when even its journal cannot be made."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    text = str(error)
    if "database or disk is full" in text or "No space left on device" in text:
        return True
    if "I/O error" not in text:
        return False
    try:
        disk = os.statvfs(root)
    except OSError:
        return False
    return disk.f_bavail * disk.f_frsize < 1024 * 1024


@click.group(cls=_Salnameh)
@click.option(
    "--home",
    "home_path",
    envvar="SALNAMEH_HOME",
    default="var",
    show_default=True,
    help="Folder of this installation (ledger, archive, warehouse, snapshots).",
)
@click.pass_context
def main(ctx: click.Context, home_path: str) -> None:
    """Salnameh: the provincial statistical yearbook, from agency forms to publication."""
    ctx.obj = home(home_path)


@main.command()
@click.option(
    "--province",
    help="SCI code of the province this home serves (00-30); a new home without it is "
    "the default installation, an existing one keeps its province.",
)
@click.option(
    "--national",
    is_flag=True,
    help="Make SCI's national hub: it receives provinces' packages, no agency files.",
)
@click.pass_obj
def init(salnameh_home, province: str | None, national: bool) -> None:
    """Create the home folder and its stores for one province (or SCI's national hub)."""
    from salnameh.installation import InstallationRefused, initialise, initialise_national

    if national and province is not None:
        raise click.UsageError("a national hub serves no one province: --national or --province")
    try:
        if national:
            initialise_national(salnameh_home)
        else:
            initialise(salnameh_home, province, Reference())
    except InstallationRefused as refused:
        click.echo(f"{refused.en}\n{refused.fa}", err=True)
        sys.exit(2)
    if salnameh_home.is_national:
        click.echo(f"home ready: {salnameh_home.root} (national hub)")
        return
    names = Reference.for_home(salnameh_home).province_names
    click.echo(f"home ready: {salnameh_home.root} (province {names.code}, {names.name_en})")


@main.group()
def catalog() -> None:
    """The declared yearbook tables."""


def _load_or_exit(salnameh_home=None):
    """The catalog; for a home, in the words of its province (titles and footnotes)."""
    try:
        declared = load_catalog()
        if salnameh_home is None:
            return declared
        return declared.in_words_of(Reference.for_home(salnameh_home))
    except CatalogError as error:
        click.echo(str(error), err=True)
        sys.exit(1)


def table_summary(table: TableDecl, reference: Reference) -> dict:
    return {
        "id": table.id,
        "chapter": table.chapter,
        "number": table.number,
        "title_fa": table.title.fa,
        "title_en": table.title.en,
        "agency": table.agency,
        "agency_fa": reference.agencies[table.agency].name_fa,
        "source": table.source,
        "period": table.period,
        "geography": table.geography,
        "years": list(table.years) if table.years else None,
        "dimensions": [d.code_list for d in table.dimensions],
        "measures": [m.id for m in table.measures],
        "rules": [r.kind for r in table.rules],
    }


@catalog.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalog as JSON for scripts.")
@click.option("--chapter", type=int, help="Only this chapter.")
def catalog_list(as_json: bool, chapter: int | None) -> None:
    """List the tables, by chapter and printed number."""
    declared = _load_or_exit()
    reference = Reference()
    tables = [t for t in declared if chapter is None or t.chapter == chapter]
    if as_json:
        payload = {
            "catalog_version": declared.version,
            "tables": [table_summary(t, reference) for t in tables],
            "chapters": sorted({t.chapter for t in tables}),
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for table in tables:
        click.echo(f"{table.number:>6}  {table.id:<48} {table.agency:<22} {table.title.en}")
    chapters = len({t.chapter for t in tables})
    click.echo(f"{len(tables)} tables in {chapters} chapters (catalog {declared.version})")


@catalog.command("show")
@click.argument("table_id")
def catalog_show(table_id: str) -> None:
    """Show one table's declaration as the product reads it."""
    declared = _load_or_exit()
    reference = Reference()
    try:
        table = declared.table(table_id)
    except KeyError as error:
        click.echo(f"{error.args[0]}; see `salnameh catalog list`", err=True)
        sys.exit(2)
    chapter = reference.chapters[table.chapter]
    agency = reference.agencies[table.agency]
    click.echo(f"{table.id}  (table {table.number}, {table.path.name})")
    click.echo(f"  {table.title.fa}\n  {table.title.en}")
    click.echo(f"  chapter {chapter.number}: {chapter.title_en} / {chapter.title_fa}")
    click.echo(f"  agency: {agency.name_en} / {agency.name_fa}")
    years = ", ".join(map(str, table.years)) if table.years else "every year"
    click.echo(f"  source {table.source}, period {table.period} ({years}), by {table.geography}")
    for dim in table.dimensions:
        codes = reference.code_lists[dim.code_list]
        members = dim.members or [c.code for c in codes]
        click.echo(f"  dimension {dim.code_list} ({dim.axis}s): {', '.join(members)}")
    for m in table.measures:
        bounds = f"[{m.min}, {m.max}]" if m.min is not None or m.max is not None else ""
        click.echo(f"  measure {m.id}: {m.title.en}, {m.unit}, {m.type} {bounds}")
    for rule in table.rules:
        detail = rule.dimension or rule.total or rule.other_table or ""
        click.echo(f"  rule {rule.kind} {detail} (tolerance {rule.tolerance})".rstrip())
    for note in table.footnotes:
        click.echo(f"  note: {note.en}")


@catalog.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def catalog_check(as_json: bool) -> None:
    """Validate every declaration, seed and recipe; name the file and field of each problem."""
    from salnameh.recipes import check_recipes

    tables, problems = check_catalog()
    recipes, recipe_problems = check_recipes(tables, Reference())
    problems += recipe_problems
    if as_json:
        click.echo(
            json.dumps(
                {"tables": len(tables), "problems": [p.__dict__ for p in problems]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for problem in problems:
            click.echo(str(problem))
        chapters = len({t.chapter for t in tables})
        verdict = "ok" if not problems else f"{len(problems)} problem(s)"
        click.echo(f"{len(tables)} tables in {chapters} chapters, {len(recipes)} recipe(s): "
                   f"{verdict}")  # fmt: skip
    sys.exit(1 if problems else 0)


@catalog.command("draft")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sheet", required=True, help="The table's sheet, e.g. 'جدول 3-2'.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--id", "table_id", help="The table's id (default: the --out file's name).")
@click.pass_obj
def catalog_draft(salnameh_home, file: Path, sheet: str, out: Path, table_id: str | None) -> None:
    """Draft a declaration from one table of last year's yearbook workbook (counties: the
    home's province's)."""
    from ingestion.drafting import DraftInputError, draft_declaration

    try:
        if out.exists():  # a draft never replaces a declaration someone corrected
            raise DraftInputError(f"{out} هست و بازنویسی نمی‌شود.", f"{out} exists: not replaced.")
        draft = draft_declaration(file, sheet, Reference.for_home(salnameh_home), table_id, out)
    except DraftInputError as error:
        click.echo(f"{error.en}\n{error.fa}", err=True)
        sys.exit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(draft.yaml_text, encoding="utf-8")
    click.echo("\n".join(draft.report()))
    click.echo(f"drafted {draft.table_id} in {out}: {len(draft.undecided)} point(s) left open")


@main.command("demo")
@click.option("--seed", default=1402, show_default=True, help="Seed of the demo data.")
@click.option("--years", default="1390-1402", show_default=True, help="First-last year.")
@click.option("--table", "table_ids", multiple=True,
              help="Only these tables (repeatable); --ingest opens the years for these alone.")
@click.option(
    "--ingest",
    "then_ingest",
    is_flag=True,
    help="Then ingest every file and check each verdict against the plan.",
)
@click.option("--province", help="SCI code of the demo's province (00-30; default: the home's).")
@click.pass_obj
def demo(salnameh_home, seed: int, years: str, table_ids: tuple[str, ...],
         then_ingest: bool, province: str | None) -> None:  # fmt: skip
    """Generate the demo agency files of the home's province into <home>/demo (and ingest
    them with --ingest); --province makes a new home that province's."""
    from app.demo.generate import generate_demo
    from salnameh.installation import InstallationRefused, initialise

    try:  # a new home takes the province; a home of another province refuses it
        initialise(salnameh_home, province, Reference())
    except InstallationRefused as refused:
        click.echo(f"{refused.en}\n{refused.fa}", err=True)
        sys.exit(2)
    first, _, last = years.partition("-")
    span = range(int(first), int(last or first) + 1)
    declared = _load_or_exit(salnameh_home)
    with click.progressbar(length=1, label="agency files") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        result = generate_demo(declared, salnameh_home.demo_dir, span, seed, table_ids or None,
                               progress, salnameh_home.province)  # fmt: skip
    names = Reference.for_home(salnameh_home).province_names
    click.echo(
        f"{result.files} agency files of province {names.code} ({names.name_en}) for "
        f"{result.years[0]}-{result.years[-1]} in {result.folder}; {result.anomalies} "
        "anomalies planted (anomalies.csv)"
    )
    if then_ingest:
        # A demo of a few tables opens its years with those alone: the other tables are
        # nobody's to send, and would fill the outbox with reminders for them.
        collected = declared.only(table_ids) if table_ids else declared
        _ingest_demo(salnameh_home, declared, collected)


def _ingest_demo(salnameh_home, declared, collected) -> None:
    """Ingest the demo files as the agencies would send them; the planted errors must fail.
    The years are opened, reviewed and reminded for the `collected` tables."""
    from app.demo.cycle import liaison, open_demo_years
    from ingestion.demo_check import expected_verdicts, surprises
    from ingestion.ingest import Ingestor
    from salnameh.ledger import Ledger

    expected = expected_verdicts(salnameh_home.demo_dir)
    reference = Reference.for_home(salnameh_home)
    years = sorted({item.year for item in expected})
    letters = open_demo_years(salnameh_home, Ledger(salnameh_home.ledger_url), collected,
                              reference, years)  # fmt: skip
    outbox = salnameh_home.root / "outbox"
    click.echo(f"opened {years[0]}-{years[-1]}: every table assigned to its agency; "
               f"{letters} referral letters with forms in {outbox}")  # fmt: skip
    click.echo(f"demo sign-ins for the portal (coordinator, expert, analyst, a liaison per "
               f"agency): {salnameh_home.demo_staff_path}")  # fmt: skip
    ingestor = Ingestor(salnameh_home, declared, reference)
    outcomes = {}
    with ingestor.batch(), click.progressbar(expected, label="ingesting", file=sys.stderr) as bar:
        for item in bar:  # each file uploaded by its agency's liaison
            agency = item.path.parent.name
            outcomes[str(item.path)] = ingestor.ingest(item.path, actor=liaison(agency))
    verdicts = [o.verdict for o in outcomes.values()]
    click.echo(f"ingested {len(verdicts)} files: {verdicts.count('accepted')} accepted, "
               f"{verdicts.count('rejected')} rejected as planted, "
               f"{verdicts.count('unchanged')} unchanged since the last run")  # fmt: skip
    for outcome in outcomes.values():
        if outcome.verdict == "rejected":
            first = outcome.errors[0]
            sent = Path(outcome.path)  # files/<year>/<agency>/<table>: unidentified too
            click.echo(f"  rejected {sent.name} {sent.parent.parent.name}: "
                       f"{first.en} ({first.where()})")  # fmt: skip
    unexpected = surprises(expected, outcomes)
    if unexpected:
        click.echo("verdicts that differ from the plan:\n  " + "\n  ".join(unexpected), err=True)
        sys.exit(1)
    _review_demo(salnameh_home, collected)


def _review_demo(salnameh_home, declared) -> None:
    from app.demo.cycle import review_demo
    from salnameh.ledger import Ledger

    letters = (salnameh_home, declared, Reference.for_home(salnameh_home))
    summary = review_demo(salnameh_home, Ledger(salnameh_home.ledger_url), declared, letters)
    released = ", ".join(f"{y} (edition {n})" for y, n in summary.editions) or "nothing new"
    click.echo(f"demo review: {summary.approved} approved, {summary.returned} returned to the "
               f"agency (each with its letter), {summary.in_review} still in review; released "
               f"{released}; {len(summary.reminders)} reminders to late agencies")  # fmt: skip


def _files(paths: tuple[str, ...]) -> list[Path]:
    """The files named, with folders (an inbox) expanded to what is under them; exit 2 for
    a name that does not exist, or is not a regular file (a named pipe, a socket), saying
    which."""
    from ingestion.ingest import NotARegularFile, refuse_unless_regular

    found = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")  # a dangling link (no file at all) is passed over
                if p.exists() and not p.is_dir() and not p.name.startswith(".")
            )  # fmt: skip
        else:
            found.append(path)
    for path in found:
        if not path.exists():
            raise click.UsageError(f"no such file: {path}")
        try:
            refuse_unless_regular(path)
        except NotARegularFile as refused:
            click.echo(f"{refused.en}\n{refused.fa}", err=True)
            sys.exit(2)
    return found


def _echo_outcome(outcome, lang: str) -> None:
    mark = {"accepted": "ok", "rejected": "REJECTED", "unchanged": "same"}[outcome.verdict]
    click.echo(f"{mark:>8}  {outcome.path}: "
               f"{outcome.message_fa if lang == 'fa' else outcome.message_en}")  # fmt: skip
    for problem in outcome.problems:
        if problem.severity == "note" and outcome.verdict != "rejected":
            continue
        where = problem.where()
        text = problem.fa if lang == "fa" else problem.en
        click.echo(f"          [{problem.severity}] {problem.code}"
                   f"{f' ({where})' if where else ''}: {text}")  # fmt: skip


@main.command()
@click.argument("files", nargs=-1)
@click.option(
    "--inbox",
    "from_inbox",
    is_flag=True,
    help="Ingest what waits in <home>/inbox, then move it to <home>/processed.",
)
@click.option("--table", "table_id", help="Table id, when the file is not one of our forms.")
@click.option("--year", type=int, help="Reference year (Jalali), e.g. 1402.")
@click.option("--agency", help="The uploading agency's id.")
@click.option("--as", "user_id",
              help="Upload as this user (password from SALNAMEH_PASSWORD or asked); a liaison "
                   "may upload only their agency's tables.")  # fmt: skip
@click.option("--lang", type=click.Choice(["en", "fa"]), default="en", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON report for scripts.")
@click.option("--recipe", "recipe_name",
              help="Read the files through this recipe (an id in seeds/recipes or a YAML "
                   "file) instead of the one their layout's fingerprint picks.")  # fmt: skip
@click.pass_obj
def ingest(salnameh_home, files, from_inbox, table_id, year, agency, user_id, lang,
           as_json, recipe_name) -> None:  # fmt: skip
    """Validate agency files and load the accepted ones into the warehouse.

    FILES may be files or folders (an inbox laid out as <year>/<agency>/<table>.<ext>).
    Exit 0 when every file is accepted (or was already), 1 when any is rejected.
    """
    from ingestion.ingest import Ingestor
    from salnameh.installation import InstallationRefused, refuse_agency_files

    try:
        refuse_agency_files(salnameh_home)
    except InstallationRefused as refused:
        click.echo(f"{refused.en}\n{refused.fa}", err=True)
        sys.exit(2)
    if from_inbox:
        if files or table_id or year or agency:
            raise click.UsageError("--inbox takes no files and no --table/--year/--agency")
        if user_id:
            raise click.UsageError("the inbox is the pipeline's channel: no --as with --inbox")
        _ingest_inbox(salnameh_home, lang, as_json)
        return
    if not files:
        raise click.UsageError("give the files or folders to ingest, or --inbox")
    paths = _files(files)
    if not paths:
        raise click.UsageError("no files to ingest in the folders given")
    declared = _load_or_exit(salnameh_home)
    if table_id is not None and table_id not in declared.tables:
        raise click.UsageError(f"no table {table_id!r}; see `salnameh catalog list`")
    reference = Reference.for_home(salnameh_home)
    if agency is not None and agency not in reference.agencies:
        raise click.UsageError(f"no agency {agency!r} in seeds/reference/agencies.csv")
    actor = _sign_in(salnameh_home, user_id) if user_id else None
    ingestor = Ingestor(salnameh_home, declared, reference)
    forced = _recipe_or_exit(recipe_name, ingestor) if recipe_name else None
    with ingestor.batch():
        resumed = ingestor.resume_interrupted()
        if resumed and not as_json:
            click.echo(f"finished {len(resumed)} load(s) a stopped run had left half-way")
        if len(paths) > 1 and not as_json:
            with click.progressbar(paths, label="ingesting", file=sys.stderr) as bar:
                outcomes = [_ingest_one(ingestor, p, table_id, year, agency, actor, lang,
                                        forced) for p in bar]  # fmt: skip
        else:
            outcomes = [_ingest_one(ingestor, p, table_id, year, agency, actor, lang, forced)
                        for p in paths]  # fmt: skip
    _report_outcomes(outcomes, lang, as_json)


def _ingest_one(ingestor, path, table_id, year, agency, actor, lang, recipe=None):
    from salnameh.access import Forbidden

    try:
        return ingestor.ingest(path, table_id, year, agency, actor=actor, recipe=recipe)
    except Forbidden as refused:
        click.echo(f"{path.name}: {refused.fa if lang == 'fa' else refused.en}", err=True)
        sys.exit(3)


def _recipe_or_exit(name_or_path: str, ingestor):
    """The recipe a user names (an id or a file), or exit 2 saying what is wrong with it."""
    from salnameh.recipes import RecipeError, recipe_from

    try:
        return recipe_from(name_or_path, ingestor.recipes, ingestor.catalog, ingestor.reference)
    except RecipeError as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        sys.exit(2)


@main.group()
def recipe() -> None:
    """Recipes: workbooks in other layouts (SCI's, an agency's) mapped onto catalog tables."""


@recipe.command("draft")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--table", "table_id", required=True, help="The catalog table the file fills.")
@click.option("--year", type=int, required=True, help="A reference year the file is for.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_obj
def recipe_draft(salnameh_home, file, table_id, year, out) -> None:
    """Propose a recipe for FILE's layout onto TABLE and say, cell by cell, what it could
    not map. Exit 0 drafted, 2 when the file gives nothing to draft from."""
    from ingestion.problems import Rejected
    from ingestion.readers import read_book
    from ingestion.recipe_drafting import DraftError, draft_recipe

    declared = _load_or_exit(salnameh_home)
    if table_id not in declared.tables:
        raise click.UsageError(f"no table {table_id!r}; see `salnameh catalog list`")
    if out.exists():
        raise click.UsageError(f"{out} exists; choose another --out")
    try:
        book = read_book(file.read_bytes(), file.name)
        draft = draft_recipe(book, declared.table(table_id), Reference.for_home(salnameh_home),
                             year)  # fmt: skip
    except Rejected as unreadable:  # not a workbook, damaged, encrypted
        click.echo(unreadable.problems[0].en, err=True)
        sys.exit(2)
    except DraftError as nothing:
        click.echo(str(nothing), err=True)
        sys.exit(2)
    out.write_text(draft.yaml(), encoding="utf-8")
    click.echo(f"drafted {out}; what it guessed:")
    for line in draft.guessed:
        click.echo(f"  {line}")
    click.echo(f"not mapped ({len(draft.unmapped)}); correct the recipe, then `salnameh recipe "
               "preview` it:")  # fmt: skip
    for line in draft.unmapped:
        click.echo(f"  {line}")


@recipe.command("preview")
@click.argument("recipe_name")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--table", "table_id", help="The table to map onto (default: the recipe's only one).")
@click.option("--year", type=int, help="Reference year, when the file's name does not give it.")
@click.option("--all", "show_all", is_flag=True, help="Every mapped value, not only totals.")
@click.pass_obj
def recipe_preview(salnameh_home, recipe_name, file, table_id, year, show_all) -> None:
    """Show what RECIPE_NAME (an id or a YAML file) maps from FILE, and the validation
    report, without recording anything. Exit 0 if the file would be accepted, 1 if not."""
    from ingestion.ingest import Ingestor
    from ingestion.recipe_preview import preview_lines

    reference = Reference.for_home(salnameh_home)
    ingestor = Ingestor(salnameh_home, _load_or_exit(salnameh_home), reference)
    forced = _recipe_or_exit(recipe_name, ingestor)
    checked = ingestor.check(file.read_bytes(), file, table_id, year, None, forced)
    names = {g.code: g.name_en for g in reference.geography}
    names[reference.province] = "Province total"
    for line in preview_lines(checked, names, show_all):
        click.echo(line)
    sys.exit(1 if checked.values is None else 0)


def _ingest_inbox(salnameh_home, lang: str, as_json: bool) -> None:
    """The same step the Dagster inbox sensor runs."""
    from ingestion.inbox import ingest_inbox

    reference = Reference.for_home(salnameh_home)
    run = ingest_inbox(salnameh_home, _load_or_exit(salnameh_home), reference, "inbox")
    if not run.outcomes and not as_json:
        click.echo(f"nothing waiting in {salnameh_home.inbox_dir}")
    _report_outcomes(run.outcomes, lang, as_json)


def _report_outcomes(outcomes, lang: str, as_json: bool) -> None:
    """Print the verdicts; exit 1 when any file was rejected."""
    rejected = sum(o.verdict == "rejected" for o in outcomes)
    if as_json:
        click.echo(json.dumps({"files": [o.as_dict() for o in outcomes]},
                              ensure_ascii=False, indent=2))  # fmt: skip
    else:
        for outcome in outcomes:
            if outcome.verdict == "rejected" or len(outcomes) <= 20:
                _echo_outcome(outcome, lang)
        counts = {v: sum(o.verdict == v for o in outcomes)
                  for v in ("accepted", "rejected", "unchanged")}  # fmt: skip
        values = sum(o.n_values for o in outcomes if o.verdict == "accepted")
        click.echo(
            f"{len(outcomes)} file(s): {counts['accepted']} accepted ({values} values), "
            f"{counts['rejected']} rejected, {counts['unchanged']} unchanged"
        )
    sys.exit(1 if rejected else 0)


@main.command()
@click.option("--full", is_flag=True,
              help="Run dbt's whole build (seeds, models, unit and data tests) even where "
                   "only data changed and the last full build's SQL could be replayed.")
@click.pass_obj
def build(salnameh_home, full: bool) -> None:
    """Build the warehouse and publish the snapshots: dbt's build, or where only data
    changed since the last one, its models and data tests replayed in process."""
    from salnameh.warehouse import BuildError, build_warehouse

    try:
        result = build_warehouse(salnameh_home, full=full)
    except BuildError as error:
        click.echo(str(error), err=True)
        click.echo("the snapshots were not changed: readers keep the last good build", err=True)
        sys.exit(1)
    what = ("models and data tests replayed" if result.how == "replayed"
            else "seeds, models and tests passed")  # fmt: skip
    if result.tables_recomputed is not None:
        what += f"; {result.tables_recomputed} table(s) recomputed, the others kept"
    click.echo(f"warehouse built: {result.passed} {what} ({salnameh_home.warehouse_path})")
    public = result.published
    click.echo(f"snapshots published in {salnameh_home.snapshots_dir}: internal (everything), "
               f"public ({public.get('marts.fct_observations', 0)} released values of "
               f"{public.get('marts.dim_indicator', 0)} indicators)")  # fmt: skip


@main.command("backup")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A new or empty folder, outside the home.")
@click.pass_obj
def backup_command(salnameh_home, out: Path) -> None:
    """Copy the installation while it runs: ledger, archive, warehouse, snapshots and the
    inbox, outbox and exports, each file's SHA-256 in backup.json."""
    from salnameh.backup import BackupError, backup

    try:
        made = backup(salnameh_home, out)
    except BackupError as error:
        click.echo(f"no backup was made: {error}", err=True)
        sys.exit(1)
    click.echo(f"backup in {made.folder}: {made.files} files, {made.bytes / 2**20:.1f} MiB, "
               f"a ledger of {made.ledger_rows} rows")  # fmt: skip


@main.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_obj
def restore_command(salnameh_home, folder: Path) -> None:
    """Restore a backup into this home, which must hold no data yet (the ledger goes to
    SALNAMEH_LEDGER_URL's database where set); every file is checked first."""
    from salnameh.backup import BackupError, restore
    from salnameh.ledger_migration import MigrationError

    try:
        made = restore(folder, salnameh_home)
    except (BackupError, MigrationError) as error:
        click.echo(f"nothing was restored: {error}", err=True)
        sys.exit(1)
    click.echo(f"restored into {made.folder}: {made.files} files, a ledger of "
               f"{made.ledger_rows} rows; `salnameh build --full` rebuilds the warehouse's "
               "models from them")  # fmt: skip


def _sign_in(salnameh_home, user_id: str):
    """The user's Actor: password from SALNAMEH_PASSWORD (scripts) or asked, never echoed."""
    from salnameh.ledger import Ledger
    from salnameh.users import AuthenticationFailed, TooManyAttempts, Users

    password = os.environ.get("SALNAMEH_PASSWORD") or click.prompt(
        f"password for {user_id}", hide_input=True
    )
    try:
        return Users(Ledger(salnameh_home.ledger_url)).authenticate(user_id, password)
    except (AuthenticationFailed, TooManyAttempts) as failed:
        _refused(failed)


def _refused(error) -> None:
    """Exit 3 with the refusal in both languages."""
    click.echo(f"{error.en}\n{error.fa}", err=True)
    sys.exit(3)


@main.command()
@click.option("--year", type=int, required=True, help="Reference year of the forms.")
@click.option("--agency", help="Only this agency's forms.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True)
@click.pass_obj
def templates(salnameh_home, year: int, agency: str | None, out_dir: str) -> None:
    """Write the Excel forms of a year, one per table, as OUT/<agency>/<table>.xlsx."""
    from salnameh.forms import write_forms

    declared = _load_or_exit(salnameh_home)
    reference = Reference.for_home(salnameh_home)
    if agency is not None and agency not in reference.agencies:
        raise click.UsageError(f"no agency {agency!r} in seeds/reference/agencies.csv")
    written = write_forms(declared, reference, year, Path(out_dir), agency)
    if not written:
        raise click.UsageError(f"no table of the catalog is collected for {year}"
                               + (f" from {agency}" if agency else ""))  # fmt: skip
    agencies = {p.parent.name for p in written}
    click.echo(f"{len(written)} forms for {year} ({len(agencies)} agencies) in {out_dir}")


@main.command("open-year")
@click.argument("year", type=int)
@click.option("--as", "by", required=True, help="The coordinator opening the year.")
@click.pass_obj
def open_year_command(salnameh_home, year, by) -> None:
    """Assign the year's tables to their agencies, with deadlines, and send each agency
    its referral letter with its forms (to SMTP or <home>/outbox). Safe to run again."""
    from salnameh.access import Forbidden
    from salnameh.collection import open_year
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    salnameh_home.create()
    try:
        opened = open_year(salnameh_home, Ledger(salnameh_home.ledger_url),
                           _load_or_exit(salnameh_home), Reference.for_home(salnameh_home),
                           year, actor)  # fmt: skip
    except Forbidden as refused:
        _refused(refused)
    click.echo(f"{year}: {opened.assigned} new assignments; {len(opened.letters)} referral "
               f"letters sent")  # fmt: skip


@main.command()
@click.option("--year", type=int, required=True)
@click.option("--agency", help="Only this agency.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--as", "by", help="Sign in (a liaison sees their own agency only).")
@click.pass_obj
def status(salnameh_home, year, agency, as_json, by) -> None:
    """Where each assigned table stands, per agency, with the agreement's measures."""
    from salnameh.access import Forbidden
    from salnameh.collection import status as collection_status
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by) if by else None
    try:
        report = collection_status(Ledger(salnameh_home.ledger_url), year, agency, actor=actor)
    except Forbidden as refused:
        _refused(refused)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if not report["agencies"]:
        click.echo(f"{year} is not open: `salnameh open-year {year}` assigns its tables")
        return
    for a in report["agencies"]:
        rate = "-" if a["on_time_rate"] is None else f"{100 * a['on_time_rate']:.0f}%"
        complete = f"{100 * a['completeness']:3.0f}%"
        click.echo(f"{a['agency']:16} {a['tables']:3} tables  complete {complete}  "
                   f"on time {rate:>4}  overdue {a['overdue']}")  # fmt: skip
        for t in a["table_status"]:
            late = f"  {t['overdue_days']} days overdue" if t["overdue_days"] else ""
            if t["due"] != t["deadline"]:
                late += f"  (extended to {t['due']})"
            note = f"  ({t['comment']})" if t["comment"] else ""
            click.echo(f"    {t['table_id']:45} {t['state']:9}{late}{note}")
    turnaround = report["review_turnaround_days_median"]
    publication = report["deadline_to_publication_days"]
    turnaround = "-" if turnaround is None else turnaround
    publication = "-" if publication is None else publication
    click.echo(f"review turnaround (median): {turnaround} days; "
               f"deadline to publication: {publication} days")  # fmt: skip


@main.command()
@click.option("--year", type=int, required=True)
@click.option("--as", "by", required=True, help="The coordinator sending the reminders.")
@click.pass_obj
def remind(salnameh_home, year, by) -> None:
    """A Persian reminder to each agency with overdue tables, returned ones included, their
    forms attached again (not twice the same day); each letter numbered, with its PDF."""
    from salnameh.access import Forbidden
    from salnameh.collection import remind as send_reminders
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    try:
        sent = send_reminders(salnameh_home, Ledger(salnameh_home.ledger_url),
                              _load_or_exit(salnameh_home), Reference.for_home(salnameh_home),
                              year, actor)  # fmt: skip
    except Forbidden as refused:
        _refused(refused)
    click.echo(f"{len(sent)} reminders sent" + "".join(f"\n  {d}" for d in sent))


def _jalali_day(text: str) -> dt.date:
    from salnameh.jalali import parse_jalali_day

    try:
        return parse_jalali_day(text)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.argument("table_id")
@click.argument("year", type=int)
@click.option("--until", required=True, help="The new Jalali deadline, e.g. 1403/05/31.")
@click.option("--reason", required=True, help="Why (the agency's request, its letter...).")
@click.option("--as", "by", required=True, help="The coordinator granting it.")
@click.pass_obj
def extend(salnameh_home, table_id, year, until, reason, by) -> None:
    """Extend one table-year's deadline; status, reminders and the agreement's measures
    count from the new day."""
    from salnameh.access import Forbidden
    from salnameh.collection import extend_deadline
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    day = _jalali_day(until)
    try:
        extend_deadline(Ledger(salnameh_home.ledger_url), year, table_id, day, reason, actor)
    except Forbidden as refused:
        _refused(refused)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"{table_id} {year} now due {until} ({day.isoformat()}): {reason}")


@main.command()
@click.option("--year", type=int, required=True)
@click.option("--json", "as_json", is_flag=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Also write the report for SCI here, as PDF and xlsx.")  # fmt: skip
@click.option("--as", "by", help="Sign in (coordinator, expert or analyst).")
@click.pass_obj
def sla(salnameh_home, year, as_json, out_dir, by) -> None:
    """The agreement with SCI, measured for a year: each commitment against its target and
    SCI's timetable, and the deadlines extended. Exit 1 when a commitment is not met."""
    from publishing.sla_report import (
        STATES,
        printed_on,
        shown_target,
        shown_value,
        write_sla_pdf,
        write_sla_xlsx,
    )
    from salnameh.access import Forbidden
    from salnameh.agreement import AgreementError, measure
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by) if by else None
    try:
        report = measure(Ledger(salnameh_home.ledger_url), year, actor,
                         printed=printed_on(salnameh_home, year))  # fmt: skip
    except Forbidden as refused:
        _refused(refused)
    except AgreementError as error:
        raise click.UsageError(str(error)) from None
    if not report["tables"]:
        raise click.UsageError(f"{year} is not open: `salnameh open-year {year}` first")
    if out_dir:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        report["files"] = [
            str(write_sla_pdf(report, Reference.for_home(salnameh_home), out / f"sla-{year}.pdf")),
            str(write_sla_xlsx(report, out / f"sla-{year}.xlsx")),
        ]
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(f"the agreement for {year} as of {report['today']}: {report['tables']} tables "
                   f"of {report['agencies']} agencies")  # fmt: skip
        for r in report["measures"]:
            due = f"by {r['due']}" if r["due"] else ""
            now_ = shown_value(r, "en", "value_to_date")
            now_ = f"  (to date {now_})" if now_ != shown_value(r, "en") else ""
            note = f"  [{r['note']}]" if r["note"] else ""
            click.echo(f"  {r['measure']:24} {shown_target(r, 'en'):>13}  "
                       f"{shown_value(r, 'en'):>6} {due:14} {STATES[r['state']][1]}"
                       f"{now_}{note}")  # fmt: skip
        click.echo(f"{report['met']} met, {report['not_met']} not met; "
                   f"{len(report['extensions'])} deadlines extended")  # fmt: skip
        for path in report.get("files", []):
            click.echo(f"  {path}")
    sys.exit(1 if report["not_met"] else 0)


@main.group()
def users() -> None:
    """Users and their roles (coordinator, expert, liaison, analyst)."""


@users.command("add")
@click.argument("user_id")
@click.option("--role", type=click.Choice(["coordinator", "expert", "liaison", "analyst"]),
              required=True)  # fmt: skip
@click.option("--name", "full_name", required=True, help="Full name, as shown in the portal.")
@click.option("--agency", help="The agency of a liaison.")
@click.option("--email", help="Where the agency's letters go (liaisons).")
@click.option("--as", "by", help="The coordinator adding the user (not for the first user).")
@click.pass_obj
def users_add(salnameh_home, user_id, role, full_name, agency, email, by) -> None:
    """Add a user; the new user's password is asked twice (or NEW_PASSWORD for scripts)."""
    from salnameh.access import Forbidden
    from salnameh.ledger import Ledger
    from salnameh.users import UserError, Users

    actor = _sign_in(salnameh_home, by) if by else None
    password = os.environ.get("NEW_PASSWORD") or click.prompt(
        f"new password for {user_id}", hide_input=True, confirmation_prompt=True
    )
    agencies = set(Reference.for_home(salnameh_home).agencies)
    registry = Users(Ledger(salnameh_home.ledger_url), agencies)
    try:
        user = registry.add(actor, user_id, full_name, role, password, agency, email)
    except Forbidden as refused:
        _refused(refused)
    except UserError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"added {user.user_id} ({user.role}{', ' + user.agency if user.agency else ''})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def users_list(salnameh_home, as_json: bool) -> None:
    """The users, their roles and whether they are active (never their passwords)."""
    from dataclasses import asdict

    from salnameh.ledger import Ledger
    from salnameh.users import Users

    found = Users(Ledger(salnameh_home.ledger_url)).list()
    if as_json:
        click.echo(json.dumps([asdict(u) for u in found], ensure_ascii=False, indent=2))
        return
    for u in found:
        state = f"disabled {u.disabled_at}" if u.disabled_at else "active"
        click.echo(f"{u.user_id:20} {u.role:12} {u.agency or '':14} {state:28} {u.full_name}")


@users.command("disable")
@click.argument("user_id")
@click.option("--as", "by", required=True, help="The coordinator disabling the user.")
@click.pass_obj
def users_disable(salnameh_home, user_id, by) -> None:
    """Disable a user (kept, so their past decisions keep their name)."""
    from salnameh.access import Forbidden
    from salnameh.ledger import Ledger
    from salnameh.users import UserError, Users

    actor = _sign_in(salnameh_home, by)
    try:
        Users(Ledger(salnameh_home.ledger_url)).disable(actor, user_id)
    except Forbidden as refused:
        _refused(refused)
    except UserError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"disabled {user_id}")


@main.group("ledger")
def ledger_group() -> None:
    """The ledger's database: SQLite in the home by default, PostgreSQL by
    SALNAMEH_LEDGER_URL=postgresql://user:password@host:port/database."""


@ledger_group.command("migrate")
@click.option(
    "--to",
    "target",
    required=True,
    help="The empty database to copy into: postgresql://user:password@host/db",
)
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The SQLite ledger to copy (default: the home's ledger.sqlite).",
)
@click.option("--json", "as_json", is_flag=True, help="Each table's rows and hash as JSON.")
@click.pass_obj
def ledger_migrate(salnameh_home, target: str, source: Path | None, as_json: bool) -> None:
    """Copy the home's SQLite ledger into an empty database, ids and all, in one
    transaction; each table's row count and hash are compared before it commits."""
    from dataclasses import asdict

    from salnameh.ledger_db import LedgerURLError, redact
    from salnameh.ledger_migration import MigrationError, migrate
    from salnameh.settings import LEDGER_URL_VARIABLE

    source = source or salnameh_home.ledger_path
    if not source.is_file():
        raise click.UsageError(f"no SQLite ledger at {source} to migrate (see --from)")
    try:
        copied = migrate(source, target)
    except (MigrationError, LedgerURLError) as error:
        click.echo(f"the ledger was not migrated: {error}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps([asdict(c) for c in copied], indent=2))
        return
    for c in copied:
        click.echo(f"{c.table:24} {c.rows:>9} rows  sha256 {c.sha256[:16]}  equal")
    click.echo(f"ledger copied to {redact(target)}: {len(copied)} tables, "
               f"{sum(c.rows for c in copied)} rows, every count and hash equal on both sides.\n"
               f"Use it: export {LEDGER_URL_VARIABLE}='{redact(target)}' (with its password); "
               f"{source} is left as it was.")  # fmt: skip


@main.group()
def review() -> None:
    """Experts' review of loaded submissions: list, show, approve, return."""


@review.command("list")
@click.option("--year", type=int)
@click.option("--state", type=click.Choice(["in_review", "approved", "returned", "all"]),
              default="in_review", show_default=True)  # fmt: skip
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def review_list(salnameh_home, year, state, as_json) -> None:
    """The current version of each table-year and its review state."""
    from salnameh.ledger import Ledger

    rows = Ledger(salnameh_home.ledger_url).review_queue(year)
    if state != "all":
        rows = [r for r in rows if r["review_state"] == state]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['submission_id']:6} {r['year']} {r['table_id']:45} {r['agency']:14} "
                   f"{r['review_state']:10} {r['comment']}")  # fmt: skip
    click.echo(f"({len(rows)} table-years)")


@review.command("show")
@click.argument("submission_id", type=int)
@click.pass_obj
def review_show(salnameh_home, submission_id) -> None:
    """One submission: its file, history, review decisions and validation report."""
    from salnameh.ledger import Ledger

    ledger = Ledger(salnameh_home.ledger_url)
    try:
        s = ledger.get(submission_id)
    except KeyError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"submission {s.submission_id}: {s.table_id} {s.year} from {s.agency}, "
               f"{s.filename}, {s.n_values} values, {s.state}")  # fmt: skip
    for state, at, note in ledger.events(submission_id):
        click.echo(f"  {at}  {state}  {note}")
    for r in ledger.reviews(submission_id):
        click.echo(f"  {r['at']}  {r['decision']} by {r['reviewer']}  {r['comment']}")
    for problem in s.report:
        click.echo(f"  {problem.get('severity')}: {problem.get('en')}")


@review.command("approve")
@click.argument("submission_ids", type=int, nargs=-1, required=True)
@click.option("--comment", default="")
@click.option("--as", "by", required=True, help="The expert approving.")
@click.pass_obj
def review_approve(salnameh_home, submission_ids, comment, by) -> None:
    """Approve submissions: each table-year is then closed to new files until reopened."""
    _decide(salnameh_home, submission_ids, "approved", comment, by)


@review.command("return")
@click.argument("submission_id", type=int)
@click.option("--comment", required=True, help="What the agency must check or correct.")
@click.option("--as", "by", required=True, help="The expert returning it.")
@click.pass_obj
def review_return(salnameh_home, submission_id, comment, by) -> None:
    """Return a submission to its agency with a comment; the agency's status shows it."""
    _decide(salnameh_home, (submission_id,), "returned", comment, by)


def _decide(salnameh_home, submission_ids, decision, comment, by) -> None:
    """Approve, or return with the letter that tells the agency (collection.return_submission)."""
    from salnameh.access import Forbidden
    from salnameh.collection import return_submission
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    ledger = Ledger(salnameh_home.ledger_url)
    for submission_id in submission_ids:
        letter = ""
        try:
            if decision == "returned":
                sent = return_submission(salnameh_home, ledger, _load_or_exit(salnameh_home),
                                         Reference.for_home(salnameh_home), submission_id,
                                         comment, actor)  # fmt: skip
                letter = f"; letter {sent.number} to the agency: {sent.delivery}"
            else:
                ledger.review(submission_id, decision, actor, comment)
        except Forbidden as refused:
            _refused(refused)
        except (KeyError, ValueError) as error:
            raise click.UsageError(str(error)) from None
        click.echo(f"submission {submission_id}: {decision}{letter}")


@review.command("approve-clean")
@click.option("--year", type=int, help="Only this year's submissions.")
@click.option("--dry-run", is_flag=True, help="List what is clean and what is not; approve none.")
@click.option("--as", "by", required=True, help="The expert approving.")
@click.pass_obj
def review_approve_clean(salnameh_home, year, dry_run, by) -> None:
    """Approve every submission awaiting review that is clean: no validation warning, in the
    last build, no standing anomaly flag (salnameh.approval says so); each is recorded as a
    single approval is."""
    from salnameh.access import Forbidden
    from salnameh.approval import NOT_CLEAN, approve_clean, candidates
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    ledger = Ledger(salnameh_home.ledger_url)
    try:
        if dry_run:
            for c in candidates(salnameh_home, ledger, actor, year):
                why = "clean" if c.reason is None else f"not clean: {NOT_CLEAN[c.reason][1]}"
                click.echo(f"{c.submission_id:6} {c.year} {c.table_id:45} {why}")
            return
        done = approve_clean(salnameh_home, ledger, actor, year)
    except Forbidden as refused:
        _refused(refused)
    for sid in done.approved:
        click.echo(f"submission {sid}: approved")
    click.echo(f"{len(done.approved)} clean submission(s) approved; {len(done.skipped)} left "
               "for review one by one (`review approve-clean --dry-run` says why)")  # fmt: skip


@review.command("comment")
@click.argument("submission_id", type=int)
@click.argument("message")
@click.option("--as", "by", required=True, help="The expert or the agency's liaison writing.")
@click.pass_obj
def review_comment(salnameh_home, submission_id, message, by) -> None:
    """Add a message to a submission's thread between the experts and the agency."""
    from salnameh.access import Forbidden
    from salnameh.comments import CommentRefused, add_comment
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    try:
        kept = add_comment(Ledger(salnameh_home.ledger_url), submission_id, message, actor)
    except (Forbidden, CommentRefused) as refused:
        _refused(refused)
    click.echo(f"submission {submission_id}: message {kept.comment_id} kept")


@review.command("thread")
@click.argument("submission_id", type=int)
@click.option("--as", "by", required=True, help="The expert or the agency's liaison reading.")
@click.pass_obj
def review_thread(salnameh_home, submission_id, by) -> None:
    """A submission's messages between the experts and the agency, oldest first."""
    from salnameh.access import Forbidden
    from salnameh.comments import CommentRefused, thread
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    try:
        messages = thread(Ledger(salnameh_home.ledger_url), submission_id, actor)
    except (Forbidden, CommentRefused) as refused:
        _refused(refused)
    for m in messages:
        click.echo(f"{m.at}  {m.author} ({m.role}): {m.body}")
    click.echo(f"({len(messages)} messages)")


@main.command()
@click.argument("table_id")
@click.argument("year", type=int)
@click.option("--reason", required=True, help="Why the approved table must change.")
@click.option("--as", "by", required=True, help="The coordinator reopening it.")
@click.pass_obj
def reopen(salnameh_home, table_id, year, reason, by) -> None:
    """Reopen an approved table-year so its agency may send a corrected file."""
    from salnameh.access import Forbidden
    from salnameh.ledger import Ledger

    actor = _sign_in(salnameh_home, by)
    try:
        Ledger(salnameh_home.ledger_url).reopen(table_id, year, actor, reason)
    except Forbidden as refused:
        _refused(refused)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"{table_id} {year} reopened: {reason}")


@main.command()
@click.option("--year", type=int, required=True)
@click.option("--note", default="")
@click.option("--as", "by", required=True, help="The coordinator publishing.")
@click.option("--allow-incomplete", is_flag=True,
              help="Publish although tables of the year are not approved; the edition "
                   "records and prints what it lacks.")  # fmt: skip
@click.pass_obj
def publish(salnameh_home, year, note, by, allow_incomplete) -> None:
    """Freeze a new edition of a year's yearbook: its approved table-years, as they are.

    An edition that would lack tables of the year is refused, with the list of what is
    missing, unless --allow-incomplete confirms it."""
    from salnameh.access import Forbidden
    from salnameh.ledger import IncompleteEdition, Ledger

    actor = _sign_in(salnameh_home, by)
    catalog = _load_or_exit(salnameh_home)
    try:
        number, held = Ledger(salnameh_home.ledger_url).release(
            year, actor, note, expected=catalog.tables_of(year), allow_incomplete=allow_incomplete
        )
    except Forbidden as refused:
        _refused(refused)
    except IncompleteEdition as incomplete:
        click.echo(
            f"ویرایش {year} منتشر نشد: {len(incomplete.lacking)} جدول از "
            f"{len(incomplete.lacking) + incomplete.approved} جدول سال تأیید نشده است.\n"
            f"Not published: {year} lacks {len(incomplete.lacking)} of its tables "
            f"({incomplete.approved} approved):",
            err=True,
        )
        _list_lacking(catalog, incomplete.lacking)
        click.echo(
            "تا همه تأیید شوند صبر کنید، یا آگاهانه بدون آنها منتشر کنید: --allow-incomplete\n"
            "Wait until they are approved, or publish without them on purpose: "
            "--allow-incomplete (the edition records and prints what it lacks).",
            err=True,
        )
        sys.exit(2)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    from salnameh.jalali import format_jalali

    released = format_jalali(dt.datetime.now(dt.UTC), persian_digits=False)
    click.echo(f"edition {number} of {year}, {released}: {len(held)} approved table-years; "
               "`salnameh build` publishes it in the public snapshot")  # fmt: skip
    lacking = Ledger(salnameh_home.ledger_url).edition_gaps(year, number)
    if lacking:
        click.echo(f"published without {len(lacking)} table(s), as confirmed; the edition "
                   "says so in its contents and in their places:")  # fmt: skip
        _list_lacking(catalog, lacking, err=False)


def _list_lacking(catalog, lacking: dict[str, str], err: bool = True) -> None:
    """One line per table an edition lacks: number, titles and why, in yearbook order."""
    why = {"not_received": ("نرسیده", "not received"),
           "not_approved": ("تأیید نشده", "not approved")}  # fmt: skip
    for table_id in sorted(lacking, key=list(catalog.tables).index):
        table = catalog.table(table_id)
        fa, en = why[lacking[table_id]]
        click.echo(f"  {table.number}  {table.title.en} ({table.id}): {en} / {fa}", err=err)


@main.command()
@click.option("--year", type=int, help="Reference year (default: the newest with an edition).")
@click.option("--edition", "number", type=int, help="Edition number (default: the newest).")
@click.option(
    "--format", "formats", multiple=True, default=("all",), show_default=True,
    type=click.Choice(["xlsx", "pdf", "booklet", "csv", "parquet", "jsonstat", "sdmx", "all",
                       "package"]),
    help="'all' is every format for readers; 'package' is the bundle a province sends SCI.",
)  # fmt: skip
@click.option("--chapter", type=int, help="Only this chapter's tables in the workbook.")
@click.option("--lang", type=click.Choice(["fa", "en"]), default="fa", show_default=True,
              help="The print edition's language: Persian (right to left) or English.")  # fmt: skip
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="Folder (default <home>/exports), as <out>/<year>/edition-<n>/.")  # fmt: skip
@click.pass_obj
def export(salnameh_home, year, number, formats, chapter, lang, out_dir) -> None:
    """Write a published edition as xlsx, print PDF, csv, parquet, JSON-stat and SDMX-CSV, or
    as the package a province sends SCI (--format package: manifest with checksums,
    observations as Parquet and SDMX-CSV 2.0, footnotes, revisions)."""
    from publishing.edition import EditionMissing
    from publishing.export import FORMATS, export_edition
    from salnameh.snapshots import SnapshotMissing

    chosen = tuple(dict.fromkeys(
        [*(FORMATS if "all" in formats else ()), *(f for f in formats if f != "all")]
    ))  # fmt: skip
    try:
        written = export_edition(salnameh_home, year, chosen, number,
                                 Path(out_dir) if out_dir else None, chapter, lang)  # fmt: skip
    except (EditionMissing, SnapshotMissing) as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    for kind, paths in written.items():
        where = paths[0] if len(paths) == 1 else f"{len(paths)} files in {paths[0].parent}"
        click.echo(f"{kind:9} {where}")


@main.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)  # fmt: skip
@click.option(
    "--internal", is_flag=True, help="Query the internal snapshot (staff only: sign in with --as)."
)
@click.option("--as", "by", help="Sign in (coordinator, expert or analyst) for --internal.")
@click.option("--max-rows", default=10_000, show_default=True, help="Rows returned at most.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds before a query stops.")
@click.pass_obj
def query(salnameh_home, sql: str, fmt: str, internal: bool, by: str | None, max_rows: int,
          timeout: float) -> None:  # fmt: skip
    """Run read-only SQL on the public snapshot ('-' reads the SQL from standard input).

    Files, URLs and other databases cannot be reached from the SQL; a query has the memory
    and threads of the portal's SQL page (1 GB, one thread). Tables: marts.dim_*,
    marts.fct_observations, marts.fct_indicator_series, reference.*; their columns are
    documented: SELECT * FROM duckdb_columns() WHERE schema_name = 'marts'.
    """
    import duckdb

    from salnameh.access import Forbidden, SignInRequired
    from salnameh.snapshots import (
        INTERNAL,
        PUBLIC,
        QueryTimeout,
        SnapshotMissing,
        open_for_typed_sql,
        run_query,
    )

    actor = _sign_in(salnameh_home, by) if by else None
    text = sys.stdin.read() if sql == "-" else sql
    try:
        with open_for_typed_sql(salnameh_home, INTERNAL if internal else PUBLIC, actor) as con:
            columns, rows, truncated = run_query(con, text, max_rows, timeout)
    except (Forbidden, SignInRequired) as refused:
        _refused(refused)
    except SnapshotMissing as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except QueryTimeout as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except duckdb.Error as error:
        click.echo(f"query failed: {error}", err=True)
        sys.exit(1)
    _print_rows(columns, rows, fmt)
    if truncated:
        click.echo(f"(only the first {max_rows} rows; use --max-rows for more)", err=True)


@main.command("select")
@click.argument("link")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "jsonstat", "sdmx", "parquet"]),
              default="csv", show_default=True)  # fmt: skip
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["fa", "en"]), default="fa", show_default=True,
              help="Labels of the xlsx layout.")  # fmt: skip
@click.pass_obj
def select(salnameh_home, link: str, fmt: str, out: Path, lang: str) -> None:
    """Write a table builder selection from the public snapshot, as the portal's download.

    LINK is the builder page's address (or its part after '?'), e.g.
    'table=pop_county_sex_estimate&geo=23,2301&year=1390,1401&sex=male,female'.
    """
    from dashboards import table_builder as builder
    from salnameh.snapshots import PUBLIC, SnapshotMissing, open_snapshot

    reference = Reference.for_home(salnameh_home)
    catalog = load_catalog().in_words_of(reference)
    try:
        with open_snapshot(salnameh_home, PUBLIC) as con:
            query = lambda sql, params=(): con.execute(sql, list(params)).df()  # noqa: E731
            chosen = builder.selection_from_link(query, catalog, reference, link)
            cells = builder.selected_cells(query, chosen.table, chosen.selection)
    except SnapshotMissing as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except builder.SelectionProblem as problem:
        click.echo(f"{problem.en}\n{problem.fa}", err=True)
        sys.exit(2)
    for problem in chosen.problems:
        click.echo(f"{problem.en}\n{problem.fa}", err=True)
    edition = builder.selection_edition(chosen.table, cells)
    data = builder.download(fmt, cells, chosen.selection, chosen.table, chosen.axes, edition,
                            reference, lang)  # fmt: skip
    partial = out.with_name(out.name + ".partial")  # never a half-written file at `out`
    partial.write_bytes(data)
    partial.replace(out)
    click.echo(f"{out}: {len(cells)} figures of table {chosen.table.number} ({fmt})")


def _print_rows(columns: list[str], rows: list[tuple], fmt: str) -> None:
    import csv
    import io

    if fmt == "json":
        records = [dict(zip(columns, r, strict=True)) for r in rows]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        cells = [columns] + [["" if v is None else str(v) for v in r] for r in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
        for n, row in enumerate(cells):
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                click.echo("  ".join("-" * w for w in widths))
        click.echo(f"({len(rows)} rows)")


@main.command()
@click.option("--port", default=8501, show_default=True)
@click.pass_obj
def serve(salnameh_home, port: int) -> None:
    """Serve the portal (Streamlit) on localhost."""
    from dashboards.portal_command import portal_command
    from salnameh.children import child_process, stop_group, stopped_by_sigterm

    env = {**os.environ, "SALNAMEH_HOME": str(salnameh_home.root)}
    command = portal_command(port)
    click.echo(f"portal on http://localhost:{port}  (Ctrl+C stops it)")
    # Streamlit stops with this command however it is stopped: Ctrl+C, a service manager's
    # SIGTERM (passed on), SIGKILL (the death signal): no orphan keeps the port.
    with (
        child_process(command, signal.SIGTERM, env=env, cwd=Path(PROJECT_ROOT)) as portal,
        stopped_by_sigterm(portal),
    ):
        try:
            code = portal.wait()
        except KeyboardInterrupt:  # the terminal's Ctrl+C reaches us, not the child's group
            stop_group(portal, signal.SIGTERM)
            code = portal.wait()
    sys.exit(128 - code if code < 0 else code)  # killed by a signal: the shell's 128+n


# SCI's national hub (app/national_cli.py).
from app.national_cli import national  # noqa: E402

main.add_command(national)


if __name__ == "__main__":
    main()
