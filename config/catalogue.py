"""Whether a translation catalogue is complete and compiled: no untranslated
and no fuzzy entry, every plural form filled, and the committed .mo holding
exactly what the committed .po says. Pure Python (no gettext tools): the test
suite checks the committed catalogue with it, and `.ci/check_catalogue.py`
also checks a fresh `makemessages` extraction (which needs GNU gettext)."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # form -> text; 0 if singular
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt else self.msgid


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ones, #~, left out), header first."""
    entries: list[Entry] = []
    entry, last = Entry(), None
    started = False

    def close():
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            close()
            continue
        if line.startswith("#,"):
            entry.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.match(
            r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line
        )
        if match:
            name, index, value = (
                match.group(1),
                match.group(2),
                ast.literal_eval(match.group(3)),
            )
            if name == "msgid" and started and entry.msgstr:
                close()
            started = True
            if name == "msgstr":
                last = int(index or 0)
                entry.msgstr[last] = value
            else:
                setattr(entry, name, value)
                last = name
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(last, int):
                entry.msgstr[last] += value
            else:
                setattr(entry, last, getattr(entry, last) + value)
    close()
    return entries


def nplurals(entries: list[Entry]) -> int:
    header = next((e for e in entries if e.msgid == "" and not e.msgctxt), None)
    found = NPLURALS.search(header.msgstr.get(0, "")) if header else None
    return int(found.group(1)) if found else 2


def po_problems(path: Path) -> list[str]:
    """Untranslated and fuzzy entries, and plural entries missing a form."""
    entries = read_po(path)
    forms = nplurals(entries)
    problems = []
    for entry in entries:
        if entry.msgid == "" and not entry.msgctxt:
            continue
        name = repr(entry.msgid[:70])
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {name}")
        if entry.msgid_plural is not None:
            missing = [i for i in range(forms) if not entry.msgstr.get(i)]
            if missing:
                problems.append(f"plural forms {missing} untranslated: {name}")
            if len(entry.msgstr) > forms:
                problems.append(f"more plural forms than nplurals={forms}: {name}")
        elif not entry.msgstr.get(0):
            problems.append(f"untranslated: {name}")
    return problems


def compiled(entries: list[Entry]) -> dict:
    """What a .mo compiled from these entries holds, in the form Python's gettext
    reads it: key -> text, (key, form) -> text for plurals."""
    catalogue: dict = {}
    for entry in entries:
        if "fuzzy" in entry.flags and entry.msgid:
            continue
        if entry.msgid_plural is not None:
            if all(entry.msgstr.values()):
                for form, text in entry.msgstr.items():
                    catalogue[(entry.key, form)] = text
        elif entry.msgstr.get(0):
            catalogue[entry.key] = entry.msgstr[0]
    return catalogue


def mo_problems(po_path: Path, mo_path: Path) -> list[str]:
    """Where the compiled .mo differs from its .po (not compiled since a change)."""
    if not Path(mo_path).exists():
        return [f"{mo_path} is missing: run `python manage.py compilemessages`"]
    with open(mo_path, "rb") as mo:
        in_mo = dict(gettext.GNUTranslations(mo)._catalog)  # type: ignore[attr-defined]
    in_po = compiled(read_po(po_path))
    # msgfmt leaves the extraction's date out of the compiled header.
    for catalogue in (in_po, in_mo):
        if "" in catalogue:
            catalogue[""] = re.sub(r"POT-Creation-Date:[^\n]*\n", "", catalogue[""])
    problems = []
    for key in sorted(set(in_po) | set(in_mo), key=str):
        if in_po.get(key) != in_mo.get(key):
            problems.append(f"the .mo differs from the .po at {str(key)[:70]!r}")
    if problems:
        problems.append("run `python manage.py compilemessages` and commit the .mo")
    return problems
