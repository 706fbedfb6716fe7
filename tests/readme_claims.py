"""Docs never lie: each sentence of the README's promises, and the tests that fail when it stops being true.

SCOPES are the parts of README.md whose every sentence is a promise: the data guarantees, the rollback steps,
the mode preconditions (and the soak they end with), how a mode change is taken, and the access rules (the API's
permissions, tokens and login limits; audited operator decisions, the override, secrets, verification codes).
A new scope is one line here. CLAIMS maps a distinctive fragment of each sentence to the test node ids
that pin it, grouped by README bullet. tests/architecture/test_readme_claims.py fails when a sentence of a scope
has no entry, when an entry's fragment is no longer in the README, or when a named test does not exist; how the
README is split into sentences is in tests/architecture/readme_sentences.py.
"""

from tests.architecture.readme_sentences import Scope

SCOPES = (
    Scope(heading="What the cutover guarantees about your data"),
    Scope(heading="Rolling back (no write freeze)"),
    Scope(item="Mode preconditions."),
    Scope(item="The shadow-read soak before"),
    Scope(item="Permissions."),
    Scope(item="Tokens"),
    Scope(item="Login throttling and lockout"),
    Scope(item="Operator decisions are audited one way"),
    Scope(item="Changing a mode"),
    Scope(item="Override"),
    Scope(item="Secrets are never shown or queried."),
    Scope(item="Verification codes"),
)

REPRO = "tests/values/test_reproductions.py::"
PRE = "tests/cutover/test_preconditions_exactly.py::"
GATES = "tests/cutover/test_rollback_gates.py::"
FOLDED = "tests/keys/test_folded_emails.py::"
LEDGER = "tests/keys/test_ledger_money.py::"
AUTH = "tests/api/test_api_auth.py::"
AUDIT = "tests/cutover/test_audited_decisions.py::"
ADMIN = "tests/cutover/test_admin.py::"
SECRETS = "tests/cutover/test_admin_secrets.py::"
NAMES = "tests/cutover/test_secret_names.py::"
CODES = "tests/accounts/test_verification_codes.py::"
READINESS = "tests/cutover/test_readiness.py::"
LEADER = "tests/mirror/test_the_leader_is_the_truth.py::"
VALUES = "tests/values/test_conversion_tables.py::"
EXACT = "tests/values/test_exact_or_reject.py::"

CLAIMS: dict[str, tuple[str, ...]] = {
    # --- What the cutover guarantees about your data (its opening) ---------------------------------------------
    "Each guarantee is pinned by tests (`tests/values/`": (
        REPRO + "test_a_dual_write_keeps_legacy_fields_it_does_not_own",
        "tests/values/test_round_trip.py::test_every_collection_round_trips_losslessly",
        "tests/values/test_dirty_properties.py::test_any_document_is_a_record_or_a_reject_and_records_round_trip",
    ),
    "`tests/readme_claims.py` names the tests of each sentence of this section": (
        "tests/architecture/test_readme_claims.py::test_every_promise_of_the_readme_names_its_tests",
    ),
    # --- Lossless both ways ----------------------------------------------------------------------------------
    "Keys of a legacy document that no mapping knows are kept in Postgres": (
        REPRO + "test_a_dual_write_keeps_legacy_fields_it_does_not_own",
        "tests/values/test_unknown_types.py::test_every_bson_type_survives_every_write_path",
        "tests/values/test_unknown_types.py::test_dollar_subdocuments_are_not_reinterpreted_on_a_reverse_copy",
    ),
    "A write to Mongo never replaces a document": (
        REPRO + "test_a_mirror_never_touches_keys_whose_value_is_unchanged",
        "tests/values/test_mongo_semantics.py::test_a_copy_toward_mongo_while_it_leads_never_overwrites_the_document",
        "tests/elements/test_trezor_arrays.py::test_marking_one_address_used_keeps_its_siblings_stored_form",
        "tests/values/test_unknown_types.py::test_known_fields_keep_their_legacy_form_through_dual_writes",
        "tests/chat/test_chat_mirror.py::test_a_post_to_a_long_chat_sends_one_element_never_the_array",
        "tests/mirror/test_copies_remove_what_the_source_removed.py::"
        "test_an_optional_value_cleared_in_postgres_is_gone_from_the_mongo_document",
        "tests/locks/test_compare_and_swap_guard.py::test_a_legacy_change_of_a_key_we_write_is_seen_and_our_write_redone",
    ),
    "A document recreated from Postgres (after it was lost)": (
        "tests/values/test_round_trip.py::test_a_document_deleted_from_mongo_comes_back_whole_from_postgres",
        "tests/values/test_absent_and_order.py::test_a_recreated_document_leaves_out_what_the_legacy_document_did_not_have",
        "tests/values/test_absent_and_order.py::test_a_changed_value_is_written_where_the_key_was_absent",
    ),
    "Free-form JSON (`notifications.data`, request template `fields`)": (
        "tests/values/test_absent_and_order.py::test_json_payloads_keep_their_key_order_both_ways",
        "tests/settings_store/test_config_json_round_trip.py::test_mongo_to_postgres_and_back_keeps_the_value_exactly",
    ),
    # --- Values read exactly or rejected, never guessed --------------------------------------------------------
    "Values read exactly or rejected, never guessed.": (
        VALUES + "test_every_bson_type_in_every_field_round_trips_exactly_or_is_rejected_by_name",
        EXACT + "test_verify_fails_when_the_old_conversion_is_put_back",
    ),
    "Each field kind has one conversion table": (
        VALUES + "test_every_kind_has_a_table_and_docs_write_each_row_down",
        VALUES + "test_every_bson_type_in_every_field_round_trips_exactly_or_is_rejected_by_name",
    ),
    "A boolean is true, false, the number 0 or 1": (
        EXACT + "test_case_1_a_boolean_stored_as_a_number_reads_exactly_and_goes_back_as_stored",
        EXACT + "test_case_1_a_number_or_text_that_is_no_boolean_by_the_table_is_a_reject",
    ),
    "A number is a date by one unit rule": (
        EXACT + "test_case_2_an_epoch_number_reads_by_the_unit_rule_and_goes_back_as_stored",
        VALUES + "test_the_unit_rule_is_the_one_verify_documents",
    ),
    "An id or reference with surrounding spaces or in mixed letter case is refused": (
        EXACT + "test_case_5_an_id_with_surrounding_spaces_or_folded_case_is_a_reject_never_stripped",
        EXACT + "test_case_5_a_seller_reference_with_spaces_is_a_reject",
    ),
    "A date finer than a millisecond is refused, never truncated.": (
        EXACT + "test_case_2_a_date_finer_than_a_millisecond_or_padded_is_a_reject",
    ),
    "A value read from another form than its kind's own": (
        EXACT + "test_forms_survive_a_dual_write_that_changes_another_key_and_yield_to_a_changed_value",
        VALUES + "test_through_postgres_every_accepted_form_comes_back",
    ),
    # --- Identity --------------------------------------------------------------------------------------------
    "A record's id is its ObjectId as 24 hex": (
        REPRO + "test_a_string_id_document_is_updated_in_place_not_duplicated",
        REPRO + "test_an_upper_case_string_id_keeps_its_exact_spelling",
        "tests/keys/test_clashes_and_dates.py::test_a_dual_write_never_lands_in_the_clash_twin",
    ),
    "Two documents whose ids normalize to the same hex": (
        REPRO + "test_an_objectid_and_a_string_id_are_never_merged",
        "tests/backfill/test_every_document_accounted_for.py::test_documents_that_normalize_to_one_id_are_an_id_clash",
    ),
    "A string `_id` in mixed case or with spaces is a *bad_id* reject": (
        "tests/keys/test_string_ids.py::test_a_string_id_no_lookup_by_id_can_find_is_a_bad_id_reject",
    ),
    # --- Money exact -----------------------------------------------------------------------------------------
    "Money columns hold 13 integer and 18 decimal digits": (
        REPRO + "test_money_is_stored_exactly",
        "tests/values/test_money.py::test_eighteen_decimals_load_exactly_and_sum_exactly_in_both_stores",
        "tests/values/test_money.py::test_finer_or_larger_amounts_are_rejected_not_rounded",
        "tests/values/test_money.py::test_arithmetic_runs_at_60_digits",
    ),
    "An amount with more decimals is a reject": (
        "tests/values/test_unstorable_app_values.py::test_an_amount_finer_than_the_columns_is_refused_never_rounded",
        REPRO + "test_money_finer_than_the_columns_is_rejected_never_rounded",
        "tests/values/test_money.py::test_a_19_decimal_app_write_is_refused_not_rounded",
        REPRO + "test_money_written_back_to_mongo_is_not_padded",
    ),
    "Text with a NUL character (which PostgreSQL cannot store)": (
        "tests/values/test_unstorable_app_values.py::test_text_with_a_nul_is_refused",
        "tests/values/test_app_inputs.py::test_a_nul_in_app_input_never_makes_a_record_unmigratable",
        "tests/values/test_app_inputs.py::test_a_nul_in_notification_data",
    ),
    # --- No value crashes a run ------------------------------------------------------------------------------
    "No value crashes a run.": (
        "tests/values/test_dirty_properties.py::test_every_nasty_value_in_every_field_is_read_or_named",
        REPRO + "test_malformed_values_become_rejects_and_the_run_goes_on",
    ),
    "Any value in any field (huge or NaN dates": (
        "tests/values/test_dirty_properties.py::test_every_nasty_value_in_every_field_is_read_or_named",
        "tests/values/test_dirty_properties.py::test_any_batch_of_payments_loads_as_rows_or_storable_rejects",
        "tests/backfill/test_every_document_accounted_for.py::test_a_nul_byte_in_a_string_id_is_escaped_in_the_reject_id",
    ),
    "A missing `createdAt` is derived from the ObjectId": (
        REPRO + "test_a_missing_created_at_is_derived_from_the_object_id",
        REPRO + "test_a_missing_updated_at_is_taken_from_created_at",
    ),
    # --- The leading store is the truth; clocks never decide -------------------------------------------------
    "The leading store is the truth; clocks never decide.": (
        LEADER + "test_a_legacy_clock_ahead_of_ours_loses_no_acknowledged_write",
    ),
    "Every copy of a record toward the follower": (
        LEADER + "test_a_legacy_clock_ahead_of_ours_loses_no_acknowledged_write",
        LEADER + "test_a_legacy_write_with_a_clock_behind_ours_during_the_mirror_reaches_postgres",
        "tests/locks/test_record_copy_lock.py::test_a_copy_started_later_waits_and_the_follower_ends_with_the_last_state",
        "tests/backfill/test_parity_and_preconditions.py::test_a_legacy_update_whose_updated_at_went_backwards_is_loaded",
        "tests/verify/test_verify_says_the_fix.py::test_a_clock_ahead_is_reported_by_verify",
    ),
    "So the last copy carries the leader's latest state": (
        "tests/cutover/test_background_mirror.py::test_a_late_mirror_copies_the_leaders_current_state_not_the_write_it_was_for",
        "tests/locks/test_record_copy_lock.py::test_a_copy_started_later_waits_and_the_follower_ends_with_the_last_state",
    ),
    "A backfill batch holds the domain's write fence (shared)": (
        "tests/backfill/test_races_and_deletes.py::test_a_backfill_running_across_the_move_to_dual_never_reverts_postgres",
        REPRO + "test_a_backfill_batch_read_before_a_mongo_primary_write_does_not_revert_it",
        "tests/backfill/test_deletes_follow_the_leader.py::test_a_mode_change_to_dual_during_the_sweep_keeps_the_row",
    ),
    "While Postgres leads (`dual`) the forward backfill only inserts missing rows": (
        REPRO + "test_a_forward_backfill_never_reverts_a_newer_postgres_write",
        "tests/backfill/test_reverse_and_shadow.py::test_backfill_in_dual_with_a_pending_outbox_entry_keeps_the_postgres_write",
        "tests/backfill/test_postgres_led_backfill_and_unmirrored_deletes.py::"
        "test_a_forward_backfill_does_not_copy_back_a_row_whose_delete_mongo_has_not_seen",
        "tests/backfill/test_dry_runs_and_guards.py::test_a_forward_backfill_is_refused_in_postgres_mode",
    ),
    "Deletes follow the leader both ways": (
        "tests/backfill/test_deletes_follow_the_leader.py::test_a_document_deleted_while_mongo_leads_takes_its_row_with_it",
        "tests/backfill/test_deletes_follow_the_leader.py::test_while_postgres_leads_a_row_without_a_document_stays",
        REPRO + "test_a_rollback_removes_what_postgres_deleted_and_keeps_what_it_never_had",
        "tests/backfill/test_reverse_spares_unmigrated_documents.py::test_a_rollback_keeps_the_legacy_documents_that_were_never_migrated",
    ),
    # --- Keys compared as the legacy app compared them -------------------------------------------------------
    "Keys compared as the legacy app compared them.": (
        FOLDED + "test_a_user_is_found_by_the_key_of_the_email_in_every_mode",
    ),
    "An email is stored exactly as the legacy document holds it": (
        FOLDED + "test_a_legacy_email_migrates_exactly_and_goes_back_exactly",
        FOLDED + "test_the_key_trims_ascii_space_and_folds_ascii_letters_only",
        FOLDED + "test_a_legacy_email_with_an_upper_case_letter_outside_ascii_is_a_reject_naming_the_field",
    ),
    "Every lookup uses the key in every mode": (
        FOLDED + "test_a_user_is_found_by_the_key_of_the_email_in_every_mode",
        FOLDED + "test_the_mongo_pattern_matches_exactly_the_values_of_the_same_key",
        FOLDED + "test_postgres_folds_exactly_as_python",
        FOLDED + "test_postgres_refuses_a_second_row_of_the_same_key_on_its_own",
        FOLDED + "test_two_legacy_users_of_one_key_the_second_is_rejected_naming_the_first",
        FOLDED + "test_a_second_account_of_the_same_key_is_refused_in_every_mode",
        FOLDED + "test_a_key_only_the_other_store_holds_is_refused_in_every_mode_with_two_stores",
        FOLDED + "test_in_postgres_mode_mongo_is_not_asked",
        FOLDED + "test_with_mongo_away_a_postgres_led_registration_still_goes_through",
    ),
    "The same holds for category and blog slugs and ledger references": (
        "tests/keys/test_exact_unique_keys.py::test_a_value_only_the_other_store_holds_is_refused_in_every_mode_with_two_stores",
        "tests/keys/test_exact_unique_keys.py::test_a_value_either_store_holds_is_compared_exactly",
        "tests/backfill/test_remaining_domains_dirty.py::test_blogs",
    ),
    "Which keys are folded: docs/legacy-collections.md.": (
        "tests/test_legacy_collections_doc.py::test_the_document_says_which_keys_are_folded",
    ),
    # --- One balance, never overdrawn, reversed once ---------------------------------------------------------
    "One balance, never overdrawn, reversed once.": (
        LEDGER + "test_a_rejected_credit_counts_in_no_balance_and_a_payout_cannot_overdraw",
        LEDGER + "test_reversing_an_entry_twice_is_refused_in_every_mode",
    ),
    "A ledger balance counts the entries the ledger has accepted": (
        LEDGER + "test_a_rejected_credit_counts_in_no_balance_and_a_payout_cannot_overdraw",
        LEDGER + "test_an_entry_no_balance_counts_is_not_reversed",
    ),
    "A payout that would leave it below zero is refused.": (
        LEDGER + "test_a_rejected_credit_counts_in_no_balance_and_a_payout_cannot_overdraw",
        LEDGER + "test_two_payouts_at_once_never_overdraw",
    ),
    "An entry is reversed at most once": (
        LEDGER + "test_reversing_an_entry_twice_is_refused_in_every_mode",
        LEDGER + "test_a_reversal_only_the_other_store_holds_refuses_another_in_every_mode",
        LEDGER + "test_postgres_refuses_a_second_reversal_row_on_its_own",
        LEDGER + "test_mongo_refuses_a_second_reversal_document_on_its_own",
        LEDGER + "test_two_writers_reversing_one_entry_at_once_only_one_wins",
        "tests/locks/test_ledger_balance_lock.py::test_a_second_append_waits_for_the_first_to_write_its_balance",
    ),
    # --- A write is acknowledged or refused as one -----------------------------------------------------------
    "A write is acknowledged or refused as one.": (
        LEADER + "test_a_mongo_primary_write_postgres_refuses_is_refused_before_mongo_has_it",
    ),
    "In `dual_mongo_primary` each record a write is about to put in Mongo": (
        LEADER + "test_a_mongo_primary_write_postgres_refuses_is_refused_before_mongo_has_it",
        LEADER + "test_a_mongo_primary_write_postgres_accepts_still_goes_to_both",
    ),
    "A copy refused later anyway is caught in its own savepoint": (
        LEADER + "test_a_copy_refused_after_the_check_is_recorded_never_silent",
    ),
    # --- Writes that change nothing are legal ----------------------------------------------------------------
    "Writes that change nothing are legal in every mode": (
        REPRO + "test_writes_that_change_nothing_are_legal_in_every_mode",
        "tests/mirror/test_noop_writes.py::test_deleting_what_is_gone_is_legal",
        "tests/cutover/test_ports.py::test_write_methods_keep_the_one_return_contract",
        "tests/cutover/test_ports.py::test_the_dual_wrapper_mirrors_nothing_for_a_write_that_changed_nothing",
    ),
    # --- Rolling back (no write freeze) ----------------------------------------------------------------------
    "The rollback mirrors the forward path; writes never stop": (
        "tests/cutover/test_rollback_processes.py::test_a_rollback_from_postgres_under_writes_loses_no_acknowledged_write",
    ),
    "`store_mode DOMAIN --to dual …` from `postgres`: taken at once if MongoDB answers.": (
        GATES + "test_postgres_to_dual_needs_mongo_answering",
        PRE + "test_modes_that_write_mongo_need_mongo_enabled",
    ),
    "From that moment every write, including one by a process whose cache still says `postgres`": (
        "tests/cutover/test_rollback_processes.py::test_a_rollback_from_postgres_under_writes_loses_no_acknowledged_write",
        "tests/cutover/test_mode_fence.py::test_a_write_waits_for_a_change_in_progress_then_follows_the_new_mode",
    ),
    "Wait for the settling `store_mode DOMAIN` shows": (
        PRE + "test_the_rollback_needs_a_reverse_backfill_started_in_dual_then_a_verify",
        "tests/cutover/test_readiness.py::test_postgres_rolls_back_with_nothing_copied_first_and_dual_then_needs_the_reverse_copy",
        "tests/backfill/test_reverse_and_shadow.py::test_reverse_backfill_propagates_deletes_made_in_postgres_mode",
        "tests/cutover/test_rollback_processes.py::test_a_rollback_from_postgres_under_writes_loses_no_acknowledged_write",
    ),
    "`store_mode DOMAIN --to dual_mongo_primary …`: Mongo leads again": (
        GATES + "test_writes_made_in_postgres_after_a_passing_reverse_verify_reach_mongo_before_it_leads",
        "tests/cutover/test_mode_fence.py::test_a_write_acknowledged_before_the_change_is_in_the_new_primary_first",
    ),
    "`store_mode DOMAIN` lists exactly these steps, with their commands.": (
        "tests/cutover/test_readiness.py::test_postgres_rolls_back_with_nothing_copied_first_and_dual_then_needs_the_reverse_copy",
        "tests/cutover/test_cockpit_walkthrough.py::test_auth_goes_from_mongo_to_postgres_and_back_a_step_following_the_cockpit",
    ),
    "`store_mode DOMAIN --to mongo …` if Postgres is to be left entirely": (
        GATES + "test_dual_mongo_primary_to_mongo_makes_the_pending_mirror_writes_first",
    ),
    # --- Mode preconditions ----------------------------------------------------------------------------------
    "A step's evidence (backfill, verify, soak) counts only if it started after": (
        PRE + "test_only_a_backfill_that_started_after_every_process_followed_the_mode_counts",
        PRE + "test_the_latest_entry_into_the_mode_is_the_one_that_counts",
        GATES + "test_the_latest_verify_counts_not_any_passing_one",
        "tests/cutover/test_readiness.py::test_backfill_counts_only_since_every_process_follows_the_mode",
    ),
    "`dual_mongo_primary → dual` needs a forward backfill": (
        PRE + "test_no_backfill_at_all",
        "tests/cutover/test_cockpit_walkthrough.py::test_auth_goes_from_mongo_to_postgres_and_back_a_step_following_the_cockpit",
        PRE + "test_runs_that_do_not_count",
        PRE + "test_the_latest_verify_must_pass_and_start_after_the_latest_backfill_finished",
        PRE + "test_parents_lead_only_towards_postgres",
        "tests/backfill/test_every_document_accounted_for.py::test_open_rejects_block_the_move_to_dual_until_acknowledged",
        "tests/cutover/test_rejects_gate.py::test_open_rejects_block_postgres_leading",
    ),
    "`dual → postgres` needs the latest verify passing and started in `dual`": (
        PRE + "test_postgres_only_needs_the_latest_verify_to_pass_in_dual",
        GATES + "test_postgres_only_needs_a_shadow_read_soak",
        "tests/cutover/test_failing_verify_does_not_count.py::test_a_failing_verify_does_not_let_postgres_lead",
    ),
    "`postgres → dual` needs only MongoDB answering": (
        GATES + "test_postgres_to_dual_needs_mongo_answering",
        PRE + "test_the_rollback_needs_a_reverse_backfill_started_in_dual_then_a_verify",
        PRE + "test_the_evidence_checks_guard_only_their_step",
    ),
    "`dual → dual_mongo_primary` after a `postgres → dual` needs a reverse backfill": (
        PRE + "test_the_rollback_needs_a_reverse_backfill_started_in_dual_then_a_verify",
        PRE + "test_a_dual_entered_from_dual_mongo_primary_needs_no_reverse_copy",
        "tests/cutover/test_failing_verify_does_not_count.py::test_a_failing_verify_does_not_let_mongo_return",
    ),
    "a switch of primary (`dual_mongo_primary ↔ dual`) needs no dead outbox entry": (
        PRE + "test_switching_the_primary_waits_for_dead_mirror_writes_to_it",
        "tests/cutover/test_store_mode_changes.py::test_switching_primary_with_dead_mirror_writes_is_refused_with_the_fix",
    ),
    "A refusal names the command that fixes it (or until when to wait)": (
        "tests/cutover/test_readiness.py::test_blockers_name_each_failing_precondition_with_its_command",
        PRE + "test_a_refusal_during_the_settling_says_until_when_to_wait",
        "tests/cutover/test_rollback_processes.py::test_a_rollback_from_postgres_under_writes_loses_no_acknowledged_write",
    ),
    # --- The shadow-read soak --------------------------------------------------------------------------------
    "The shadow-read soak before `dual → postgres`": (GATES + "test_postgres_only_needs_a_shadow_read_soak",),
    "It counts from when every process follows `dual`": (GATES + "test_a_mismatch_fails_the_soak_until_a_new_verify",),
    "Reads are sampled by the domain's shadow read percent": (
        "tests/mirror/test_dual_wrapper_edges.py::test_shadow_reads_follow_the_percent_and_stop_while_the_breaker_is_open",
        "tests/mirror/test_dual_wrapper_edges.py::test_one_percent_of_shadow_reads_is_one_percent",
        "tests/cutover/test_store_mode_cli.py::test_shadow_percent_through_the_service_with_its_checks",
    ),
    "The quickstart sets a one-second soak with no reads needed": (
        "tests/cutover/test_cutover_all.py::test_the_quickstart_walks_with_a_one_second_soak_and_no_reads",
        "tests/cutover/test_cutover_all.py::test_cutover_all_then_the_scheduled_tasks_leave_cutover_check_passing",
    ),
    # --- API permissions -------------------------------------------------------------------------------------
    "Each view declares, per method, the Django permissions it needs": (
        "tests/api/test_permission_matrix.py::test_every_endpoint_declares_its_permissions",
        "tests/api/test_permission_matrix.py::test_permission_matrix",
    ),
    "The caller must be an active staff account holding them": (
        "tests/api/test_permission_matrix.py::test_permission_matrix",
        "tests/api/test_api_bad_input.py::test_no_token_is_401_and_a_user_who_is_not_staff_is_403",
        AUTH + "test_a_deactivated_account_gets_no_token_and_its_token_stops_working",
    ),
    "Only `/api/health` (for load balancers), the token login and the API's own 404 are public.": (
        "tests/api/test_permission_matrix.py::test_permission_matrix",
    ),
    "`tests/api/test_permission_matrix.py` walks the URL configuration": (
        "tests/api/test_permission_matrix.py::test_permission_matrix",
        "tests/api/test_permission_matrix.py::test_every_endpoint_declares_its_permissions",
        "tests/api/test_permission_matrix.py::test_every_endpoint_has_an_example",
    ),
    # --- API tokens ------------------------------------------------------------------------------------------
    "Tokens (django-rest-knox): `POST /api/auth/token`": (
        AUTH + "test_only_staff_with_an_api_permission_gets_a_token",
        "tests/api/test_api_bad_input.py::test_a_token_is_issued_for_the_right_password_only",
    ),
    "Only a hash of each token is stored": (
        AUTH + "test_the_token_itself_is_not_stored",
        AUTH + "test_a_token_expires_and_logout_revokes_it",
        AUTH + "test_a_token_lasts_the_configured_time",
    ),
    "An admin session works too": (AUTH + "test_an_admin_session_works_too",),
    # --- Login throttling and lockout ------------------------------------------------------------------------
    "Login throttling and lockout: `POST /api/auth/token` takes `API_LOGIN_RATE`": (
        AUTH + "test_the_login_throttle_answers_before_hashing",
        AUTH + "test_150_wrong_passwords_lock_the_api_login_before_any_more_hashing",
        AUTH + "test_150_wrong_passwords_lock_the_admin_login",
        AUTH + "test_a_successful_login_resets_the_failure_count",
    ),
    "Both answer 429 (with `Retry-After` on the API)": (
        AUTH + "test_the_login_throttle_answers_before_hashing",
        AUTH + "test_150_wrong_passwords_lock_the_api_login_before_any_more_hashing",
    ),
    "`python manage.py axes_reset_username USERNAME` lifts a lockout at once.": (
        AUTH + "test_axes_reset_username_lifts_a_lockout_at_once",
    ),
    # --- Operator decisions are audited one way --------------------------------------------------------------
    "Operator decisions are audited one way (`cutover/audit.py`)": (
        AUDIT + "test_a_reason_one_character_short_is_refused_and_nothing_changes",
        AUDIT + "test_a_reason_of_exactly_the_minimum_is_kept_stripped_with_who_and_when",
        AUDIT + "test_the_minimum_is_one_setting_for_every_decision",
        "tests/cutover/test_requeue_dead_letters.py::test_requeue_is_refused_without_the_permission_or_a_reason",
        "tests/backfill/test_every_document_accounted_for.py::test_acknowledging_records_who_when_and_why",
    ),
    "Store modes have one permission model": (
        AUDIT + "test_store_modes_have_one_permission_model_and_the_page_says_it",
        "tests/cutover/test_admin.py::test_view_only_staff_see_no_change_actions_and_get_403",
        "tests/cutover/test_store_mode_changes.py::test_a_user_without_the_permission_is_refused",
    ),
    "A page refused for a missing permission is a page of the admin that names it.": (
        AUDIT + "test_a_step_refused_for_a_lack_of_permission_is_a_page_of_the_admin_naming_it",
        AUDIT + "test_djangos_own_refusals_name_the_permission_too",
    ),
    # --- Changing a mode -------------------------------------------------------------------------------------
    "Changing a mode: *Advance to X* / *Roll back to Y*": (
        ADMIN + "test_the_step_page_lists_every_failing_precondition_with_its_command",
        READINESS + "test_parents_are_expanded_into_their_own_steps_each_once_parents_first",
        "tests/cutover/test_store_mode_cli.py::test_a_refused_step_lists_every_failing_precondition_one_per_line",
    ),
    "With none left, give a reason, review the confirmation page": (
        ADMIN + "test_advance_goes_through_a_confirmation_and_names_from_and_to",
        ADMIN + "test_a_step_needs_a_reason",
    ),
    "A confirmation is bound to the mode history entry it was prepared on": (
        GATES + "test_a_confirmation_is_bound_to_the_history_entry_it_was_prepared_on",
        GATES + "test_the_admin_confirmation_is_bound_to_the_history_it_showed",
        GATES + "test_the_cli_binds_a_change_to_the_history_token_it_shows",
    ),
    "Run the listed commands in order and no step is refused": (
        READINESS + "test_a_step_is_allowed_exactly_when_the_service_would_take_it",
        READINESS + "test_parents_are_expanded_into_their_own_steps_each_once_parents_first",
        "tests/cutover/test_store_mode_cli.py::test_each_parent_step_is_listed_once",
        "tests/cutover/test_cockpit_walkthrough.py::test_auth_goes_from_mongo_to_postgres_and_back_a_step_following_the_cockpit",
    ),
    # --- Override --------------------------------------------------------------------------------------------
    "Override (danger zone): only users with `cutover.override_store_mode_guard` see it": (
        ADMIN + "test_override_needs_its_permission",
        ADMIN + "test_override_is_a_danger_zone_confirmed_and_flagged",
        ADMIN + "test_an_override_with_nothing_to_override_is_an_ordinary_change",
    ),
    "It lists what it overrides, asks for a confirmation": (
        ADMIN + "test_override_is_a_danger_zone_confirmed_and_flagged",
        "tests/cutover/test_store_mode_changes.py::test_override_needs_its_permission_and_is_recorded",
    ),
    # --- Secrets are never shown or queried ------------------------------------------------------------------
    "Secrets are never shown or queried.": (
        SECRETS + "test_every_model_admin_is_secret_safe",
        SECRETS + "test_a_view_only_user_sees_no_secret_on_any_page",
    ),
    "A name is secret by pattern, in any spelling": (
        NAMES + "test_secret_names_are_secret",
        NAMES + "test_ordinary_names_are_not",
        NAMES + "test_a_bare_key_beside_a_value_or_label_names_an_entry",
    ),
    "Secret values are masked in backfill rejects": (
        NAMES + "test_a_reject_masks_every_name",
        NAMES + "test_a_verify_result_masks_every_name",
        NAMES + "test_a_shadow_mismatch_stores_and_shows_no_secret",
        NAMES + "test_an_error_message_and_its_log_line_mask_the_value",
    ),
    "In admin, one rule for every registered model": (
        SECRETS + "test_every_secret_or_document_field_refuses_filter_and_ordering",
        SECRETS + "test_a_secret_is_not_reached_through_a_relation",
        SECRETS + "test_search_ordering_and_columns_never_name_a_secret",
        SECRETS + "test_a_new_admin_cannot_escape_the_rule",
        SECRETS + "test_a_plain_model_admin_on_another_model_is_wrapped_too",
        SECRETS + "test_a_config_whose_key_names_a_secret_shows_its_value_masked",
        "tests/cutover/test_secrets_masked.py::test_filters_that_look_inside_stored_data_are_refused",
    ),
    # --- Verification codes ----------------------------------------------------------------------------------
    "Verification codes are stored as an HMAC-SHA256 keyed with the `SECRET_KEY`": (
        CODES + "test_a_stored_code_hash_does_not_give_the_code_back_offline",
        CODES + "test_codes_are_compared_in_constant_time",
        CODES + "test_after_the_allowed_guesses_even_the_right_code_is_refused",
        CODES + "test_one_guess_short_of_the_limit_the_right_code_still_passes",
        CODES + "test_a_legacy_sha256_code_still_verifies_but_only_within_the_lockout",
    ),
}
