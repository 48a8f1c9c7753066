"""The reports' CSV tables: which columns, and each row from what the selectors
read. Streamed by csv_export.csv_response."""

from quiz.attempts.progress import ProgressStatus
from quiz.reports.csv_export import csv_response
from quiz.reports.selectors import grade_cells

CSV_CHUNK = 500


def pct(value) -> str:
    return "" if value is None else f"{value:.1f}"


def cohorts_csv(cohorts):
    return csv_response(
        "rulewise-cohorts.csv",
        ["cohort", "trainees", "certified", "completion_percent"],
        (
            [c.name, c.n_trainees, c.n_certified, round(c.completion, 1)]
            for c in cohorts
        ),
    )


def cohort_csv(cohort, quizzes, trainees):
    header = ["username", "name", "email"]
    for quiz in quizzes:
        header += [
            f"{quiz.slug}_grade",
            f"{quiz.slug}_attempts",
            f"{quiz.slug}_passed",
            f"{quiz.slug}_certificate",
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
                row += ["", 0, "no", ""]
            else:
                row += [
                    "" if cell.grade is None else str(cell.grade),
                    cell.attempts,
                    "yes" if cell.progress is ProgressStatus.PASSED else "no",
                    cell.certificate.status if cell.certificate else "",
                ]
        yield row


def mastery_csv(trainee, mastery):
    return csv_response(
        f"rulewise-mastery-{trainee.username}.csv",
        [
            "rule",
            "title",
            "critical",
            "answers",
            "fully_correct",
            "percent",
            "mastered",
        ],
        (
            [
                m.rule.code,
                m.rule.title,
                "yes" if m.rule.critical else "no",
                m.answers,
                m.correct,
                pct(m.share),
                "yes" if m.mastered else "no",
            ]
            for m in mastery
        ),
    )


def attempts_csv(trainee, attempts):
    return csv_response(
        f"rulewise-attempts-{trainee.username}.csv",
        [
            "quiz",
            "attempt",
            "started",
            "finished",
            "score",
            "passed",
            "failed_critical",
        ],
        (
            [
                a.quiz.title,
                a.number,
                a.started_at.isoformat(),
                a.finished_at.isoformat() if a.finished_at else "",
                "" if a.score is None else str(a.score),
                "" if a.passed is None else ("yes" if a.passed else "no"),
                "yes" if a.failed_critical else "no",
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
            return "random slot"
        return "drawn question" if stats.subquestion else "slot"

    return csv_response(
        f"rulewise-question-stats-{quiz.slug}.csv",
        [
            "slot",
            "row",
            "question_id",
            "idnumber",
            "title",
            "attempts",
            "facility_percent",
            "sd_percent",
            "random_guess_score_percent",
            "intended_weight_percent",
            "effective_weight_percent",
            "negative_covariance",
            "discrimination_percent",
            "discriminative_efficiency_percent",
            "flags",
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
                "yes" if r["stats"].negative_covariance else "",
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
        ["statistic", "value"],
        [
            ["attempts", stats.attempts],
            ["maximum_mark", stats.max_mark],
            ["mean_percent", num(stats.mean, 2)],
            ["median_percent", num(stats.median, 2)],
            ["sd_percent", num(stats.sd, 2)],
            ["skewness", num(stats.skewness)],
            ["kurtosis", num(stats.kurtosis)],
            ["cic_percent", num(stats.cic, 2)],
            ["error_ratio_percent", num(stats.error_ratio, 2)],
            ["standard_error_percent", num(stats.standard_error, 2)],
            ["mean_marks", num(stats.mean_marks)],
            ["median_marks", num(stats.median_marks)],
            ["sd_marks", num(stats.sd_marks)],
            ["standard_error_marks", num(stats.standard_error_marks)],
        ],
    )


def attention_csv(lines):
    return csv_response(
        "rulewise-needs-attention.csv",
        ["cohort", "username", "name", "reason", "quiz", "date"],
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
