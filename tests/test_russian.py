"""The interface in Russian: every page each role reaches, crawled with Russian
active, shows no English interface string (compared with the catalogue's
msgids); the Russian plural forms; mail and the certificate PDF in Russian."""

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from accounts.models import Cohort, User
from questions.models import Category, Choice, Question, Rule
from quiz.models import Quiz
from tests.test_access_matrix import MATRIX, USERS, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RU = {"accept-language": "ru"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Text of any length with no English word: what the page shows in a placeholder.
FILLER = r"[^A-Za-z]*?"
# A long English sentence is looked for anywhere in the page's text (markup can
# split it into several text nodes); shorter ones must be a whole text node.
LONG = 30


def po_entries() -> list[dict]:
    """(msgid, msgid_plural, translations) of each entry of the committed .po."""
    entries, entry, field = [], {}, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry.get("msgid"):
                entries.append(entry)
            entry, field = {}, None
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, value = line.split(" ", 1)
            entry[field] = ast.literal_eval(value)
    return entries


def english_side() -> tuple[set[str], list[re.Pattern], list[str]]:
    """The English strings of the catalogue whose Russian differs: whole strings,
    patterns for those with a placeholder, and the long ones."""
    exact, patterns, long = set(), [], []
    for entry in po_entries():
        russian = [v for k, v in entry.items() if k.startswith("msgstr")]
        for english in (entry["msgid"], entry.get("msgid_plural")):
            if not english or english in russian:
                continue
            if "<" in english or "\n" in english:
                english = re.sub(r"<[^>]+>", " ", english)
            text = " ".join(english.replace("%%", "%").split())
            if PLACEHOLDER.search(text):
                pieces = PLACEHOLDER.split(text)
                if sum(len(p.strip()) for p in pieces) >= 8:
                    patterns.append(
                        re.compile(FILLER.join(re.escape(p) for p in pieces))
                    )
            else:
                exact.add(text)
                if len(text) >= LONG:
                    long.append(text)
    return exact, patterns, long


ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "data-label"}


class TextNodes(HTMLParser):
    """The text a person reads: text nodes (not scripts or styles) and the
    attributes read out or shown (labels, titles, placeholders, data-* texts)."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self.skip = 0
        # The open element in another language, and how deep in its kind.
        self.other_language: str | None = None
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.skip += 1
        # The language switch names each language in that language (lang="en").
        lang = dict(attrs).get("lang")
        if self.other_language:
            self.depth += tag == self.other_language
            return
        if lang and lang != "ru" and tag != "html":
            self.other_language, self.depth = tag, 1
            return
        for name, value in attrs:
            if value and (
                name in ATTRIBUTES
                or (name.startswith("data-") and " " in value and "{" not in value)
                or (name == "value" and tag in {"input", "button"} and " " in value)
            ):
                self.nodes.append(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.skip -= 1
        if tag == self.other_language:
            self.depth -= 1
            if not self.depth:
                self.other_language = None

    def handle_data(self, data):
        if not self.skip and not self.other_language and data.strip():
            self.nodes.append(data)


def user_data() -> list[str]:
    """What people and the bank wrote (names, titles, question texts), in
    English in the tests' data: not interface strings."""
    data = [
        *Question.objects.values_list("title", flat=True),
        *Question.objects.values_list("stem", flat=True),
        *Question.objects.values_list("explanation", flat=True),
        *Choice.objects.values_list("text", flat=True),
        *Choice.objects.values_list("feedback", flat=True),
        *Rule.objects.values_list("code", flat=True),
        *Rule.objects.values_list("title", flat=True),
        *Rule.objects.values_list("wording", flat=True),
        *Rule.objects.values_list("passage", flat=True),
        *Category.objects.values_list("name", flat=True),
        *Quiz.objects.values_list("title", flat=True),
        *Quiz.objects.values_list("description", flat=True),
        *Cohort.objects.values_list("name", flat=True),
        *(user.display_name for user in User.objects.all()),
        *User.objects.values_list("username", flat=True),
        # The course text the rules quote (questions/seed/source.txt), in English.
        *re.split(
            r"(?<=[.!?])\s+|\n|^- ",
            (Path(settings.BASE_DIR) / "questions" / "seed" / "source.txt").read_text(
                encoding="utf-8"
            ),
            flags=re.M,
        ),
    ]
    return sorted({" ".join(d.split()) for d in data if d and d.strip()}, key=len)[::-1]


def english_on(html: str, english, data: list[str]) -> list[str]:
    exact, patterns, long = english
    parser = TextNodes()
    parser.feed(html)
    nodes = []
    for node in parser.nodes:
        node = " ".join(node.split())
        for datum in data:
            node = node.replace(datum, "·")
        nodes.append(node)
    found = {n for n in nodes if n in exact}
    found |= {n for n in nodes for p in patterns if p.fullmatch(n)}
    page = " ".join(nodes)
    found |= {text for text in long if text in page}
    return sorted(found)


# The pages: every URL of the access matrix a role may open (GET, 200), and
# the admin pages an instructor works in.
ADMIN_PAGES = [
    "admin:index",
    "admin:questions_question_changelist",
    "admin:questions_question_add",
    "admin:quiz_quiz_changelist",
    "admin:quiz_quiz_add",
    "admin:accounts_cohort_changelist",
    "admin:quiz_certificate_changelist",
]


def pages(world):
    for name, (method, args, expected) in sorted(MATRIX.items()):
        if method != "get":
            continue
        for who in USERS:
            if expected[who] == 200:
                yield who, reverse(name, args=args(world))
    for who in ("instructor", "superuser"):
        for name in ADMIN_PAGES:
            yield who, reverse(name)


def test_every_page_of_every_role_speaks_russian(world):
    english = english_side()
    data = user_data()
    misses, crawled = [], 0
    clients = {}
    for who, url in pages(world):
        if who not in clients:
            clients[who] = Client()
            if who != "anon":
                clients[who].force_login(world[who])
        response = clients[who].get(url, headers=RU)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        crawled += 1
        assert response["Content-Language"] == "ru", url
        for text in english_on(response.content.decode(), english, data):
            misses.append(f"{who} {url}: {text!r}")
    assert crawled > 100
    assert not misses, "English on Russian pages:\n" + "\n".join(misses)


# Words that stay as they are in Russian: the name, formats, file types.
NOT_ENGLISH = re.compile(
    r"Rulewise|RW(-[0-9A-Z]{4}){5}|RW-7KQ4-M2XD-9TPA-…|RW-|CSV|PDF|UTF-8|"
    r"Moodle XML|Moodle|GIFT|Aiken|docs\.moodle\.org|Quiz statistics report|"
    r"%\(time\)s"
)


def test_our_pages_in_russian_have_no_latin_words_but_names_and_formats(world):
    """Stricter than the catalogue: a string never put through gettext is not in
    the catalogue either. Our own pages (Django's admin has its own words)."""
    data = user_data()
    found: dict[str, str] = {}
    clients = {}
    for who, url in pages(world):
        if url.startswith("/admin/"):
            continue
        if who not in clients:
            clients[who] = Client()
            if who != "anon":
                clients[who].force_login(world[who])
        response = clients[who].get(url, headers=RU)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        parser = TextNodes()
        parser.feed(response.content.decode())
        for node in parser.nodes:
            node = " ".join(node.split())
            for datum in data:
                node = node.replace(datum, "·")
            if re.search(r"[A-Za-z]{2,}", NOT_ENGLISH.sub("", node)):
                found.setdefault(node, f"{who} {url}")
    assert not found, "\n".join(f"{where}: {text!r}" for text, where in found.items())


def test_the_crawl_finds_an_english_string():
    """The check itself: an English page is all misses."""
    english = english_side()
    html = Client().get(reverse("login"), headers={"accept-language": "en"})
    found = english_on(html.content.decode(), english, [])

    assert "Sign in to Rulewise" in found
    assert "Forgotten your password?" in found


# --- Plurals ----------------------------------------------------------------------

QUESTIONS = {1: "1 вопрос", 2: "2 вопроса", 5: "5 вопросов", 11: "11 вопросов"}


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 вопрос"),
        (2, "2 вопроса"),
        (4, "4 вопроса"),
        (5, "5 вопросов"),
        (11, "11 вопросов"),
        (12, "12 вопросов"),
        (21, "21 вопрос"),
        (22, "22 вопроса"),
        (25, "25 вопросов"),
        (111, "111 вопросов"),
    ],
)
def test_russian_plural_forms(n, expected):
    with translation.override("ru"):
        text = ngettext("%(n)d question", "%(n)d questions", n) % {"n": n}

    assert text == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 день подряд"),
        (2, "2 дня подряд"),
        (5, "5 дней подряд"),
        (11, "11 дней подряд"),
        (21, "21 день подряд"),
    ],
)
def test_russian_plural_forms_in_templates(n, expected):
    from django.template import Context, Template

    template = Template(
        "{% load i18n %}{% blocktranslate count n=n %}a streak of {{ n }} day"
        "{% plural %}a streak of {{ n }} days{% endblocktranslate %}"
    )
    with translation.override("ru"):
        assert template.render(Context({"n": n})) == expected


def test_the_catalogue_has_the_russian_plural_rule():
    raw = PO.read_text(encoding="utf-8")
    assert "Plural-Forms: nplurals=3;" in raw
    for entry in po_entries():
        if "msgid_plural" in entry:
            forms = [entry.get(f"msgstr[{i}]") for i in range(3)]
            assert all(forms), entry["msgid"]
            assert "msgstr[3]" not in entry, entry["msgid"]


# --- Mail and PDF -------------------------------------------------------------------


def test_password_reset_mail_in_russian(client, django_capture_on_commit_callbacks):
    from tests.factories import TraineeFactory

    user = TraineeFactory(email="olga@example.com", first_name="Ольга", last_name="")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": user.email}, headers=RU)

    [message] = mail.outbox
    assert message.subject == "Сброс пароля Rulewise"
    assert "Здравствуйте, Ольга!" in message.body
    assert "Выберите новый пароль здесь:" in message.body
    assert "Choose a new password" not in message.body


def pdf_text(client, certificate, **headers) -> str:
    response = client.get(
        reverse("quiz:certificate-pdf", args=[certificate.display_code]),
        headers=headers,
    )
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_certificate_pdf_in_the_holders_language(world):
    trainee = world["trainee"]
    trainee.language = "ru"
    trainee.save(update_fields=["language"])
    client = Client()
    client.force_login(world["superuser"])  # an English reader

    text = pdf_text(client, world["certificate"], **{"accept-language": "en"})

    assert "Сертификат о прохождении обучения" in text
    assert "Настоящим удостоверяется, что" in text
    assert "КОД СЕРТИФИКАТА" in text
    assert "Certificate of Completion" not in text


def test_certificate_pdf_of_a_holder_without_a_preference_follows_the_reader(world):
    client = Client()
    client.force_login(world["trainee"])

    russian = pdf_text(client, world["certificate"], **RU)
    english = pdf_text(client, world["certificate"], **{"accept-language": "en"})

    assert "Сертификат о прохождении обучения" in russian
    assert "Certificate of Completion" in english


def test_certificate_pdf_embeds_a_cyrillic_font(world):
    client = Client()
    client.force_login(world["trainee"])
    response = client.get(
        reverse("quiz:certificate-pdf", args=[world["certificate"].display_code]),
        headers=RU,
    )
    reader = PdfReader(io.BytesIO(response.content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}

    # Embedded subsets of the DejaVu fonts that ship in the repository
    # (quiz/certificates/fonts); reportlab lists its default Helvetica unused.
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= {n.split("+")[-1] for n in names}


def test_verification_page_speaks_the_visitors_language(world):
    url = reverse("quiz:certificate-verify", args=[world["certificate"].display_code])

    russian = Client().get(url, headers=RU).content.decode()
    english = Client().get(url, headers={"accept-language": "en"}).content.decode()

    assert "Действительный сертификат" in russian
    assert "Valid certificate" in english


# --- Mail in the recipient's language ------------------------------------------------


def test_reminders_go_out_in_each_recipients_language(send_reminders):
    from tests.factories import TraineeFactory
    from tests.test_reminders import certificate_expiring_in

    russian = TraineeFactory(language="ru", first_name="Ольга", last_name="Иванова")
    english = TraineeFactory(language="")
    certificate_expiring_in(russian, 21)
    certificate_expiring_in(english, 5)

    with translation.override("en"):  # cron runs with no request
        send_reminders()

    to = {message.to[0]: message for message in mail.outbox}
    in_russian, in_english = to[russian.email], to[english.email]
    assert in_russian.subject.startswith(
        "Срок действия вашего сертификата Rulewise истекает через 21 день:"
    )
    assert "Здравствуйте, Ольга Иванова!" in in_russian.body
    assert "Отключить напоминания:" in in_russian.body
    assert in_english.subject.startswith("Your Rulewise certificate expires in 5 days")
    assert "Turn reminders off:" in in_english.body


def test_the_certificate_mail_is_in_the_holders_language(
    django_capture_on_commit_callbacks,
):
    from tests.factories import QuizFactory, TraineeFactory, take

    holder = TraineeFactory(language="ru")
    quiz = QuizFactory(questions__n=1, certificate_on_pass=True)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        take(quiz, holder)

    [message] = mail.outbox
    assert message.subject.startswith("Ваш сертификат Rulewise:")
    assert "Поздравляем" in message.body


# --- The catalogue check CI runs (.ci/check_catalogue.py) -----------------------------


def test_the_committed_catalogue_is_complete_and_compiled():
    from config.catalogue import mo_problems, po_problems

    assert po_problems(PO) == []
    assert mo_problems(PO, PO.with_suffix(".mo")) == []


PO_TEXT = """msgid ""
msgstr ""
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "Done"
msgstr "Готово"

#, fuzzy
msgid "Saved"
msgstr "Сохранено"

msgid "Open"
msgstr ""

msgid "%(n)d question"
msgid_plural "%(n)d questions"
msgstr[0] "%(n)d вопрос"
msgstr[1] "%(n)d вопроса"
msgstr[2] ""
"""


def test_the_catalogue_check_finds_fuzzy_untranslated_and_missing_forms(tmp_path):
    from config.catalogue import po_problems

    po = tmp_path / "django.po"
    po.write_text(PO_TEXT, encoding="utf-8")

    assert po_problems(po) == [
        "fuzzy: 'Saved'",
        "untranslated: 'Open'",
        "plural forms [2] untranslated: '%(n)d question'",
    ]


def test_the_catalogue_check_finds_a_mo_not_compiled_from_the_po(tmp_path):
    import shutil

    from config.catalogue import mo_problems

    po, mo = tmp_path / "django.po", tmp_path / "django.mo"
    shutil.copy(PO, po)
    shutil.copy(PO.with_suffix(".mo"), mo)
    assert mo_problems(po, mo) == []
    po.write_text(
        po.read_text(encoding="utf-8").replace(
            'msgstr "Сохранить"', 'msgstr "Записать"', 1
        ),
        encoding="utf-8",
    )

    problems = mo_problems(po, mo)

    assert problems[0] == "the .mo differs from the .po at 'Save'"


def test_csv_headers_and_values_in_the_readers_language(world):
    import csv

    client = Client()
    client.force_login(world["own_supervisor"])
    url = reverse("quiz:report-cohort", args=[world["cohort"].pk]) + "?format=csv"
    quiz = world["quiz"].slug

    def table(language):
        response = client.get(url, headers={"accept-language": language})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    russian, english = table("ru"), table("en")

    assert russian[0][:3] == ["имя_пользователя", "имя", "эл_почта"]
    assert f"{quiz}_сдан" in russian[0]
    assert english[0][:3] == ["username", "name", "email"]
    assert f"{quiz}_passed" in english[0]
    passed = russian[0].index(f"{quiz}_сдан")
    assert russian[1][passed] == "да"
