"""The ``connectors`` package's names: imported when first used, and always the documented ones."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _python(code: str) -> None:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_reading_the_project_file_does_not_import_the_extraction_machinery() -> None:
    # `erpml build` reads its sources' kinds through connectors.config: SQLAlchemy and the
    # extraction rooms cost about half a second of every build's start-up
    _python(
        "import sys, connectors.config\n"
        "heavy = {'sqlalchemy', 'connectors.extraction'} & set(sys.modules)\n"
        "assert not heavy, heavy"
    )


@pytest.mark.parametrize(
    "first", ["import connectors.extraction", "from connectors.extraction import extract", ""]
)
def test_package_names_are_the_functions_whatever_was_imported_first(first: str) -> None:
    _python(
        f"{first}\n"
        "import inspect\n"
        "from connectors import ConnectorError, Sources, TableOutcome, extract, load\n"
        "assert inspect.isfunction(extract) and inspect.isfunction(load), (extract, load)\n"
        "assert inspect.isclass(TableOutcome) and issubclass(ConnectorError, Exception)\n"
        "import connectors\n"
        "assert connectors.extract is extract\n"
        "try:\n"
        "    connectors.no_such_name\n"
        "except AttributeError as exc:\n"
        "    assert 'no_such_name' in str(exc)\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')"
    )
