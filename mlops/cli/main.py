"""Entry point of the ``erpml`` command.

Heavy imports (SQLAlchemy, numpy, dbt, ...) happen inside commands so ``erpml --help`` is fast.
Errors from any erpml package become one line on stderr and a distinct exit code.
"""

from __future__ import annotations

import logging
import sys

import click

from mlops.cli.build import build_cmd
from mlops.cli.definitions import definitions_group, features_group, snapshot_group
from mlops.cli.demo import demo
from mlops.cli.diff import diff_cmd
from mlops.cli.extract import extract_cmd
from mlops.cli.fixtures import fixtures_group
from mlops.cli.models import models_group, score_cmd, train_cmd
from mlops.cli.monitor import monitor_cmd, report_cmd
from mlops.cli.schedule import schedule_group

EXIT_USAGE = 2
EXIT_FIXTURE = 3
EXIT_MLOPS = 4
EXIT_CONNECTOR = 5


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="erpml")
def cli(verbose: int) -> None:
    """erpml: a governed data foundation for ML over ERP systems."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


cli.add_command(fixtures_group)
cli.add_command(demo)
cli.add_command(extract_cmd)
cli.add_command(build_cmd)
cli.add_command(diff_cmd)
cli.add_command(definitions_group)
cli.add_command(snapshot_group)
cli.add_command(features_group)
cli.add_command(train_cmd)
cli.add_command(score_cmd)
cli.add_command(models_group)
cli.add_command(schedule_group)
cli.add_command(monitor_cmd)
cli.add_command(report_cmd)


# Error classes by module: a module that was never imported cannot have raised its error, so the
# CLI looks them up in ``sys.modules`` instead of importing them (``connectors`` and ``fixtures``
# pull in SQLAlchemy and the drivers, seconds of start-up that a light command would pay).
_ERRORS = (
    ("fixtures.core.errors", "FixtureError", EXIT_FIXTURE),
    ("connectors.errors", "ConnectorError", EXIT_CONNECTOR),
    ("mlops.errors", "MlopsError", EXIT_MLOPS),
)


def exit_code_for(exc: BaseException) -> int | None:
    """The exit code of an erpml error, or None when ``exc`` is not one."""
    for module, name, code in _ERRORS:
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(exc, getattr(loaded, name)):
            return code
    return None


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning erpml errors into one-line messages and exit codes."""
    try:
        code = cli.main(args=argv, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        exit_code = exit_code_for(exc)
        if exit_code is None:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
