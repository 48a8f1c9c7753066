"""The reports' CSV tables: which columns, and each row from what the selectors
read. Streamed by csv_export.csv_response."""

from django.utils.translation import get_language, pgettext

from questions.translation import translated
from quiz.attempts.progress import ProgressStatus
from quiz.reports.csv_export import csv_response
from quiz.reports.selectors import grade_cells

CSV_CHUNK = 500


# Headers and yes/no in the active language (English: the snake_case names
# the exports always had).


def yes_no(value: bool) -> str:
    return pgettext("CSV value", "yes") if value else pgettext("CSV value", "no")


def pct(value) -> str:
    return "" if value is None else f"{value:.1f}"


def cohorts_csv(cohorts):
    return csv_response(
        "rulewise-cohorts.csv",
        [
            pgettext("CSV column", "cohort"),
            pgettext("CSV column", "trainees"),
            pgettext("CSV column", "certified"),
            pgettext("CSV column", "completion_percent"),
        ],
        (
            [c.name, c.n_trainees, c.n_certified, round(c.completion, 1)]
            for c in cohorts
        ),
    )


def cohort_csv(cohort, quizzes, trainees):
    header = [
        pgettext("CSV column", "username"),
        pgettext("CSV column", "name"),
        pgettext("CSV column", "email"),
    ]
    for quiz in quizzes:
        header += [
            pgettext("CSV column", "%(quiz)s_grade") % {"quiz": quiz.slug},
            pgettext("CSV column", "%(quiz)s_attempts") % {"quiz": quiz.slug},
            pgettext("CSV column", "%(quiz)s_passed") % {"quiz": quiz.slug},
            pgettext("CSV column", "%(quiz)s_certificate") % {"quiz": quiz.slug},
        ]

    def rows():
        # Chunks keep memory flat: one grade query per CSV_CHUNK trainees.
        chunk = []
        for trainee in trainees.iterator(chunk_size=CSV_CHUNK):
            chunk.append(trainee)
            if len(chunk) == CSV_CHUNK:
                yield from _cohort_rows(chunk, quizzes)
                chunk = []
        if chunk:
            yield from _cohort_rows(chunk, quizzes)

    return csv_response(f"rulewise-cohort-{cohort.pk}.csv", header, rows())


def _cohort_rows(trainees, quizzes):
    cells = grade_cells([t.pk for t in trainees], quizzes)
    for trainee in trainees:
        row = [trainee.username, trainee.get_full_name(), trainee.email]
        for quiz in quizzes:
            cell = cells.get((trainee.pk, quiz.pk))
            if cell is None:
                row += ["", 0, yes_no(False), ""]
            else:
                row += [
                    "" if cell.grade is None else str(cell.grade),
                    cell.attempts,
                    yes_no(cell.progress is ProgressStatus.PASSED),
                    cell.certificate.status if cell.certificate else "",
                ]
        yield row


def mastery_csv(trainee, mastery):
    language = get_language()  # now: the rows are written while streaming
    return csv_response(
        f"rulewise-mastery-{trainee.username}.csv",
        [
            pgettext("CSV column", "rule"),
            pgettext("CSV column", "title"),
            pgettext("CSV column", "critical"),
            pgettext("CSV column", "answers"),
            pgettext("CSV column", "fully_correct"),
            pgettext("CSV column", "percent"),
            pgettext("CSV column", "mastered"),
        ],
        (
            [
                m.rule.code,
                translated(m.rule, "title", language),
                yes_no(m.rule.critical),
                m.answers,
                m.correct,
                pct(m.share),
                yes_no(m.mastered),
            ]
            for m in mastery
        ),
    )


def attempts_csv(trainee, attempts):
    return csv_response(
        f"rulewise-attempts-{trainee.username}.csv",
        [
            pgettext("CSV column", "quiz"),
            pgettext("CSV column", "attempt"),
            pgettext("CSV column", "started"),
            pgettext("CSV column", "finished"),
            pgettext("CSV column", "score"),
            pgettext("CSV column", "passed"),
            pgettext("CSV column", "failed_critical"),
        ],
        (
            [
                a.quiz.title,
                a.number,
                a.started_at.isoformat(),
                a.finished_at.isoformat() if a.finished_at else "",
                "" if a.score is None else str(a.score),
                "" if a.passed is None else yes_no(a.passed),
                yes_no(a.failed_critical),
            ]
            for a in attempts
        ),
    )


def question_stats_csv(quiz, rows):
    """One row per slot and per question drawn at random, every statistic of
    Moodle's table (percentages to 2 places, as Moodle's report)."""

    def pct2(value) -> str:
        return "" if value is None else f"{value:.2f}"

    def kind(stats) -> str:
        if stats.is_random_slot:
            return pgettext("CSV value", "random slot")
        if stats.subquestion:
            return pgettext("CSV value", "drawn question")
        return pgettext("CSV value", "slot")

    return csv_response(
        f"rulewise-question-stats-{quiz.slug}.csv",
        [
            pgettext("CSV column", "slot"),
            pgettext("CSV column", "row"),
            pgettext("CSV column", "question_id"),
            pgettext("CSV column", "idnumber"),
            pgettext("CSV column", "title"),
            pgettext("CSV column", "attempts"),
            pgettext("CSV column", "facility_percent"),
            pgettext("CSV column", "sd_percent"),
            pgettext("CSV column", "random_guess_score_percent"),
            pgettext("CSV column", "intended_weight_percent"),
            pgettext("CSV column", "effective_weight_percent"),
            pgettext("CSV column", "negative_covariance"),
            pgettext("CSV column", "discrimination_percent"),
            pgettext("CSV column", "discriminative_efficiency_percent"),
            pgettext("CSV column", "flags"),
        ],
        (
            [
                r["stats"].slot,
                kind(r["stats"]),
                r["stats"].question_id or "",
                r["question"].idnumber if r["question"] else "",
                str(r["question"]) if r["question"] else "",
                r["stats"].attempts,
                pct2(r["stats"].facility),
                pct2(r["stats"].sd),
                pct2(r["stats"].random_guess),
                pct2(r["stats"].intended_weight),
                pct2(r["stats"].effective_weight),
                yes_no(True) if r["stats"].negative_covariance else "",
                pct2(r["stats"].discrimination),
                pct2(r["stats"].efficiency),
                "; ".join(flag.label for flag in r["stats"].flags),
            ]
            for r in rows
        ),
    )


def quiz_stats_csv(quiz, stats):
    """The quiz's statistics (Moodle's "quiz information"), one per line: the
    percentages of the maximum mark and the raw figures in marks."""

    def num(value, places: int = 4) -> str:
        return "" if value is None else f"{value:.{places}f}"

    return csv_response(
        f"rulewise-quiz-stats-{quiz.slug}.csv",
        [pgettext("CSV column", "statistic"), pgettext("CSV column", "value")],
        [
            [pgettext("CSV column", "attempts"), stats.attempts],
            [pgettext("CSV column", "maximum_mark"), stats.max_mark],
            [pgettext("CSV column", "mean_percent"), num(stats.mean, 2)],
            [pgettext("CSV column", "median_percent"), num(stats.median, 2)],
            [pgettext("CSV column", "sd_percent"), num(stats.sd, 2)],
            [pgettext("CSV column", "skewness"), num(stats.skewness)],
            [pgettext("CSV column", "kurtosis"), num(stats.kurtosis)],
            [pgettext("CSV column", "cic_percent"), num(stats.cic, 2)],
            [pgettext("CSV column", "error_ratio_percent"), num(stats.error_ratio, 2)],
            [
                pgettext("CSV column", "standard_error_percent"),
                num(stats.standard_error, 2),
            ],
            [pgettext("CSV column", "mean_marks"), num(stats.mean_marks)],
            [pgettext("CSV column", "median_marks"), num(stats.median_marks)],
            [pgettext("CSV column", "sd_marks"), num(stats.sd_marks)],
            [
                pgettext("CSV column", "standard_error_marks"),
                num(stats.standard_error_marks),
            ],
        ],
    )


def attention_csv(lines):
    return csv_response(
        "rulewise-needs-attention.csv",
        [
            pgettext("CSV column", "cohort"),
            pgettext("CSV column", "username"),
            pgettext("CSV column", "name"),
            pgettext("CSV column", "reason"),
            pgettext("CSV column", "quiz"),
            pgettext("CSV column", "date"),
        ],
        (
            [
                line.cohort.name,
                line.trainee.username,
                line.trainee.get_full_name(),
                str(line.reason.label),
                line.quiz.title if line.quiz else "",
                line.when.isoformat() if line.when else "",
            ]
            for line in lines
        ),
    )
