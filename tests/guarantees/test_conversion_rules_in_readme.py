"""README's guarantee "Values read exactly or rejected, never guessed": each sentence, and the test that pins it.
A sentence changed in the README without its test changing here fails this file."""

from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
# sentence (as the README writes it, joined across lines) -> the tests that pin it
SENTENCES = {
    "Each field kind has one conversion table: the BSON types it accepts and the exact conversion of each": [
        "tests/fidelity/test_conversion_tables.py::test_every_kind_has_a_table_and_docs_write_each_row_down",
        "tests/fidelity/test_conversion_tables.py::test_every_bson_type_in_every_field_round_trips_exactly_or_is_rejected_by_name",
    ],
    "anything else is a `bad_value` reject naming the field, the type and the value.": [
        "tests/fidelity/test_conversion_tables.py::test_every_bson_type_in_every_field_round_trips_exactly_or_is_rejected_by_name",
    ],
    'A boolean is true, false, the number 0 or 1 (a double only as exactly 0.0 or 1.0) or the text "true", "false", '
    '"0" or "1".': [
        "tests/fidelity/test_exact_or_reject.py::test_case_1_a_boolean_stored_as_a_number_reads_exactly_and_goes_back_as_stored",
        "tests/fidelity/test_exact_or_reject.py::test_case_1_a_number_or_text_that_is_no_boolean_by_the_table_is_a_reject",
    ],
    "A number is a date by one unit rule: from 10^11 in size up it counts milliseconds, below that seconds.": [
        "tests/fidelity/test_exact_or_reject.py::test_case_2_an_epoch_number_reads_by_the_unit_rule_and_goes_back_as_stored",
        "tests/fidelity/test_conversion_tables.py::test_the_unit_rule_is_the_one_verify_documents",
    ],
    "An id or reference with surrounding spaces or in mixed letter case is refused, never stripped or folded.": [
        "tests/fidelity/test_exact_or_reject.py::test_case_5_an_id_with_surrounding_spaces_or_folded_case_is_a_reject_never_stripped",
        "tests/fidelity/test_exact_or_reject.py::test_case_5_a_seller_reference_with_spaces_is_a_reject",
    ],
    "A date finer than a millisecond is refused, never truncated.": [
        "tests/fidelity/test_exact_or_reject.py::test_case_2_a_date_finer_than_a_millisecond_or_padded_is_a_reject",
    ],
    "A value read from another form than its kind's own (the double 1.0 as a boolean, epoch seconds as a date, a "
    "24-hex string as an ObjectId) goes back to Mongo in the form it was stored in while it is unchanged.": [
        "tests/fidelity/test_exact_or_reject.py::test_forms_survive_a_dual_write_that_changes_another_key_and_yield_to_a_changed_value",
        "tests/fidelity/test_conversion_tables.py::test_through_postgres_every_accepted_form_comes_back",
    ],
}


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_each_sentence_of_the_guarantee_is_in_the_readme_and_names_existing_tests():
    readme = _flat(README)
    root = Path(__file__).resolve().parents[2]
    for sentence, tests in SENTENCES.items():
        assert _flat(sentence) in readme, sentence
        for test in tests:
            path, name = test.split("::")
            assert f"def {name}(" in (root / path).read_text(encoding="utf-8"), test


def test_the_guarantee_has_no_sentence_without_a_test():
    start = README.index("- **Values read exactly or rejected, never guessed.**")
    end = README.index("\n- **", start + 1)
    body = _flat(README[start:end].replace("- **Values read exactly or rejected, never guessed.**", ""))
    for sentence in SENTENCES:
        body = body.replace(_flat(sentence), "")
    leftover = body.replace('(docs/legacy-collections.md, "Conversion tables");', "").strip(" ;.")
    assert not leftover, f"a sentence without its test: {leftover!r}"
