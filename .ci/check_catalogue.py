"""CI: the Russian catalogue is complete and compiled.

Runs `makemessages -l ru` (GNU gettext's xgettext and msgmerge) on the tree,
then fails when the fresh extraction has an untranslated or fuzzy entry (a
string in the code or templates that the committed .po does not translate, or
translates for a changed English), when the committed .po itself has one, when
msgfmt rejects it, or when the committed .mo is not compiled from it. The
committed .po and .mo are put back as they were whatever happens.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.catalogue import mo_problems, po_problems, read_po  # noqa: E402

CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES"
PO, MO = CATALOGUE / "django.po", CATALOGUE / "django.mo"


def main() -> int:
    problems = [f"committed .po: {p}" for p in po_problems(PO)]
    problems += mo_problems(PO, MO)
    check = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(PO)],
        capture_output=True,
        text=True,
    )
    if check.returncode:
        problems.append(f"msgfmt --check: {check.stderr.strip()}")

    with tempfile.TemporaryDirectory() as keep:
        saved = Path(keep)
        shutil.copy2(PO, saved / PO.name)
        shutil.copy2(MO, saved / MO.name)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "ru",
                    "--add-location=file",
                    "--no-obsolete",
                    "--verbosity=0",
                ],
                cwd=ROOT,
                env={**os.environ, "DJANGO_DEBUG": "true"},
                check=True,
            )
            problems += [f"in the code, not translated: {p}" for p in po_problems(PO)]
            fresh = {e.key for e in read_po(PO)}
            stale = {e.key for e in read_po(saved / PO.name)} - fresh
            problems += [f"no longer in the code: {k[:70]!r}" for k in sorted(stale)]
        finally:
            shutil.copy2(saved / PO.name, PO)
            shutil.copy2(saved / MO.name, MO)

    entries = [e for e in read_po(PO) if e.msgid]
    print(f"Russian catalogue: {len(entries)} entries, {len(problems)} problems")
    for problem in problems:
        print(f"  {problem}")
    if problems:
        print(
            "Update it: python manage.py makemessages -l ru --add-location=file "
            "--no-obsolete, translate, python manage.py compilemessages -l ru"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
