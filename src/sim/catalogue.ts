/**
 * The `/actions` and `/schemas` content the simulator serves. The action list is every action the generator emits
 * plus the security-relevant names of docs/slack-api.md section 6, grouped by the categories Slack uses. Slack's real list
 * is longer and changes over time; a name missing here makes `/logs?action=` answer `invalid_action`, exactly as an
 * unknown name does on Slack.
 */

const CATALOGUE: Readonly<Record<string, readonly string[]>> = {
  workspace_or_org: [
    'workspace_created', 'workspace_deleted', 'organization_created', 'organization_deleted', 'organization_renamed',
    'organization_domain_changed', 'organization_verified', 'organization_unverified', 'organization_public_url_updated',
    'domain_created', 'domain_verified', 'domain_deleted', 'migration_scheduled', 'migration_completed',
    'billing_address_added', 'emoji_added', 'emoji_removed', 'emoji_aliased', 'emoji_renamed',
    'team_authorized_ip_range_set', 'idp_configuration_added', 'idp_configuration_deleted',
    'idp_prod_configuration_updated', 'idp_test_configuration_updated',
    'manual_export_started', 'manual_export_completed', 'manual_export_downloaded', 'manual_export_deleted',
    'scheduled_export_started', 'scheduled_export_completed', 'scheduled_export_downloaded', 'scheduled_export_deleted',
    'channels_export_started', 'channels_export_completed', 'channels_export_downloaded', 'channels_export_deleted',
    'manual_user_export_started', 'manual_user_export_completed', 'manual_user_export_downloaded',
    'manual_user_export_deleted', 'corporate_exports_approved', 'corporate_exports_enabled',
    'audit_logs_export_csv_started', 'audit_logs_export_json_started', 'audit_logs_records_searched',
    'ekm_enrolled', 'ekm_unenrolled', 'ekm_key_added', 'ekm_key_removed', 'ekm_logging_config_set', 'ekm_clear_cache_set',
    'ekm_slackbot_enroll_notification_sent', 'ekm_slackbot_unenroll_notification_sent',
    'ekm_slackbot_rekey_notification_sent', 'ekm_slackbot_logging_notification_sent',
    'intune_enabled', 'intune_disabled', 'auth_policy_created', 'auth_policy_entity_assigned',
    'auth_policy_entity_removed', 'approved_orgs_added', 'approved_orgs_removed',
    'slack_connect_pref_set', 'slack_connect_pref_removed', 'slack_connect_invite_routing_disabled',
    'slack_connect_invite_routing_enabled', 'thread_replies_disabled', 'thread_replies_enabled',
    'slack_ai_summary_requested', 'slack_ai_permissions_reset', 'prefs_setting_changed',
    'team.unsupportedVersions.start.success',
    'pref.sso_setting_changed', 'pref.two_factor_auth_changed', 'pref.two_factor_prevent_sms_changed',
    'pref.session_duration_changed', 'pref.session_duration_type_changed', 'pref.mobile_session_duration_changed',
    'pref.block_file_download_for_unapproved_ip', 'pref.block_download_and_copy_on_untrusted_mobile',
    'pref.enterprise_mobile_device_check', 'pref.mobile_secondary_auth_timeout_changed',
    'pref.required_minimum_mobile_version_changed', 'pref.ent_required_browser', 'pref.ent_browser_control',
    'pref.sign_in_with_slack_disabled', 'pref.anomaly_event_response_changed', 'pref.app_whitelist_enabled',
    'pref.app_dir_only', 'pref.disallow_public_file_urls', 'pref.public_channel_retention_changed',
    'pref.private_channel_retention_changed', 'pref.dm_retention_changed', 'pref.file_retention_changed',
    'pref.canvas_retention_changed', 'pref.retention_override_changed', 'pref.admin_retention_override_changed',
    'pref.allow_message_deletion', 'pref.ext_audit_log_retention_type_changed',
    'pref.ext_audit_log_retention_duration_changed', 'pref.can_receive_shared_channels_invites',
    'pref.who_can_manage_ext_shared_channels', 'pref.who_can_manage_shared_channels',
    'pref.slack_connect_allowed_workspaces', 'pref.slack_connect_approval_type', 'pref.who_can_manage_guests',
    'pre.max_guest_duration', 'pref.invites_only_admins', 'pref.who_can_create_public_channels',
    'pref.who_can_create_private_channels', 'pref.who_can_archive_channels',
    'pref.who_can_remove_from_private_channels', 'pref.who_can_remove_from_public_channels',
    'pref.who_can_create_delete_user_groups', 'pref.who_can_edit_user_groups', 'pref.enterprise_default_channels',
    'pref.custom_tos', 'pref.uneditable_user_profile_fields', 'pref.dlp_access_changed', 'pref.allow_slack_ai_changed',
    'pref.enterprise_search_enabled_changed', 'pref.enterprise_search_connectors_changed', 'pref.ml_opt_out',
  ],
  user: [
    'user_login', 'user_login_failed', 'user_logout', 'user_logout_compromised',
    'user_logout_non_compliant_mobile_app_version', 'user_force_upgrade_non_compliant_mobile_app_version',
    'user_session_invalidated', 'user_session_reset_by_admin', 'user_sessions_reset_by_anomaly_event_response',
    'user_session_settings_changed', 'bulk_session_reset_by_admin', 'user_password_reset_requested',
    'user_password_reset_slack_security', 'user_created', 'user_deactivated', 'user_reactivated', 'user_email_updated',
    'user_username_updated', 'user_profile_updated', 'user_profile_deleted', 'user_joined_workspace', 'guest_created',
    'guest_deactivated', 'guest_reactivated', 'guest_joined_workspace', 'guest_expiration_set',
    'guest_expiration_cleared', 'guest_expired', 'role_change_to_admin', 'role_change_to_owner', 'role_change_to_user',
    'role_change_to_guest', 'owner_transferred', 'custom_tos_accepted', 'custom_tos_link_clicked',
    'app_agentforce_execute_slack_action', 'app_flows_execute_slack_action',
  ],
  file: [
    'file_downloaded', 'file_uploaded', 'file_shared', 'file_deleted', 'file_public_link_created',
    'file_public_link_revoked', 'file_malicious_content_detected', 'file_download_blocked', 'file_downloaded_blocked',
  ],
  channel: [
    'public_channel_created', 'private_channel_created', 'public_channel_deleted', 'private_channel_deleted',
    'public_channel_archive', 'private_channel_archive', 'public_channel_unarchive', 'private_channel_unarchive',
    'private_channel_converted_to_public', 'public_channel_converted_to_private', 'mpim_converted_to_private',
    'group_converted_to_channel', 'channel_renamed', 'channel_moved', 'channel_workspaces_updated',
    'channel_retention_changed', 'channel_email_address_created', 'channel_email_address_deleted',
    'channel_posting_permissions_updated', 'channel_posting_pref_changed_from_org_level',
    'channel_membership_limit_changed_from_org_level', 'channel_can_huddle_pref_changed_from_org_level',
    'channel_enable_at_channel_pref_changed_from_org_level', 'channel_enable_at_here_pref_changed_from_org_level',
    'channel_huddle_properties_updated', 'channel_tab_added', 'channel_tab_removed', 'user_channel_join',
    'user_channel_leave', 'guest_channel_join', 'guest_channel_leave', 'dm_user_added', 'private_message_forwarded',
    'public_channel_preview', 'service_owner_transferred', 'featured_workflow_added', 'featured_workflow_removed',
    'external_shared_channel_invite_created', 'external_shared_channel_invite_accepted',
    'external_shared_channel_invite_approved', 'external_shared_channel_invite_declined',
    'external_shared_channel_invite_expired', 'external_shared_channel_invite_revoked',
    'external_shared_channel_invite_auto_revoked', 'external_shared_channel_invite_sent',
    'external_shared_channel_connected', 'external_shared_channel_disconnected',
    'external_shared_channel_reconnected', 'external_shared_channel_access_upgraded',
    'external_shared_channel_disconnect_and_archived', 'connect_dm_invite_generated', 'connect_dm_invite_accepted',
    'connect_dm_invite_ignored', 'connect_dm_invite_revoked',
  ],
  app: [
    'app_installed', 'app_uninstalled', 'app_approved', 'app_restricted', 'app_deleted', 'app_deployed',
    'app_scopes_expanded', 'app_resources_added', 'app_resources_granted', 'app_removed_from_whitelist',
    'app_token_preserved', 'app_manifest_created', 'app_manifest_updated', 'app_variable_added', 'app_variable_removed',
    'bot_token_upgraded', 'bot_token_downgraded', 'org_app_workspace_added', 'org_app_workspace_removed',
    'org_app_installed', 'org_app_uninstalled', 'org_app_upgraded_to_org_install',
    'org_app_future_workspace_install_enabled', 'org_app_future_workspace_install_disabled',
    'workflow_app_token_preserved', 'agentforce_agent_activated', 'agentforce_agent_deactivated',
    'agentforce_agent_actions_updated', 'agentforce_agent_metadata_updated', 'agentforce_agent_slack_connection_added',
    'agentforce_agent_slack_connection_removed', 'agentforce_agent_slack_deleted',
    'app_agentforce_session_created_from_prompt_link', 'app_agentforce_shareable_prompt_created',
    'mcp_slack_search_public_tool_called', 'mcp_slack_search_public_and_private_tool_called',
    'mcp_slack_search_channels_tool_called', 'mcp_slack_search_users_tool_called', 'mcp_slack_read_channel_tool_called',
    'mcp_slack_read_thread_tool_called', 'mcp_slack_read_canvas_tool_called', 'mcp_slack_read_user_profile_tool_called',
    'mcp_slack_send_message_tool_called', 'mcp_slack_create_canvas_tool_called', 'mcp_slack_update_canvas_tool_called',
  ],
  workflow_builder: [
    'workflow_created', 'workflow_deleted', 'workflow_published', 'workflow_unpublished',
    'workflow_responses_csv_download', 'workflow_unknown_action', 'workflow_trigger_permission_added',
    'workflow_trigger_permission_removed', 'workflow_trigger_permission_set', 'workflow_trigger_suspicious_keyword',
    'external_auth_oauth2_token_fetched', 'external_auth_oauth2_token_refreshed', 'external_auth_oauth2_token_deleted',
  ],
  message: ['message_tombstoned', 'message_restored', 'message_moderated', 'message_flagged'],
  barrier: ['barrier_created', 'barrier_updated', 'barrier_deleted'],
  huddle: ['huddle_started', 'huddle_ended', 'huddle_participant_joined', 'huddle_screenshare_on'],
  anomaly: ['anomaly'],
  slack_cli: ['cli_login', 'cli_logout', 'cli_app_deploy'],
  subteam: [
    'user_added_to_usergroup', 'user_removed_from_usergroup', 'role_added_to_usergroup', 'role_modified_on_usergroup',
    'role_removed_from_usergroup', 'default_channel_added_to_usergroup', 'default_channel_removed_from_usergroup',
    'usergroup_added_to_team', 'usergroup_removed_from_team', 'usergroup_updated', 'usergroup_add_to_team_enqueued',
    'usergroup_remove_from_team_enqueued', 'usergroup_update_enqueued',
  ],
  role: ['role_assigned', 'role_removed', 'permissions_assigned', 'permissions_removed'],
  workflow_v2: ['workflow_v2_published'],
  canvas: ['canvas_access_added', 'canvas_linksharing_enabled', 'canvas_shared', 'canvas_ownership_transferred', 'canvas_downloaded'],
  function: ['function_distribution_permission_added', 'function_distribution_permission_removed', 'function_distribution_permission_set'],
  native_dlp: [
    'native_dlp_rule_created', 'native_dlp_rule_deactivated', 'native_dlp_rule_reactivated',
    'native_dlp_rule_action_applied', 'native_dlp_violation_deleted',
  ],
  list: ['list_downloaded'],
  legal_hold: [
    'legal_hold_policy_created', 'legal_hold_policy_updated', 'legal_hold_policy_released',
    'legal_hold_policy_reactivated', 'legal_hold_policy_entities_added', 'legal_hold_policy_entities_deleted',
    'legal_hold_policy_exclusion_added', 'legal_hold_policy_exclusion_deleted',
  ],
  sales_elevate: ['salesforce_access_granted', 'salesforce_org_upserted'],
  work_object_record: ['work_object_record_created'],
};

/**
 * The `/actions` content: category → action names. A fresh copy each call, so callers may mutate it.
 *
 * @example
 * actionCatalogue().anomaly // ['anomaly']
 */
export function actionCatalogue(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(CATALOGUE).map(([k, v]) => [k, [...v]]));
}

/**
 * Every action name in the catalogue, flattened.
 *
 * @example
 * knownActions().has('file_downloaded') // true
 */
export function knownActions(): Set<string> {
  return new Set(Object.values(CATALOGUE).flat());
}

/**
 * The `/schemas` content: the object types the API can return, in the shape the SDK fixtures show.
 *
 * @example
 * schemas().schemas.map((s) => s.type) // ['workspace', 'enterprise', 'user', 'channel', 'file', 'app', ...]
 */
export function schemas(): { schemas: Array<Record<string, unknown>> } {
  const s = (type: string, fields: Record<string, string>): Record<string, unknown> => ({ type, [type]: fields });
  return {
    schemas: [
      s('workspace', { id: 'string', name: 'string', domain: 'string' }),
      s('enterprise', { id: 'string', name: 'string', domain: 'string' }),
      s('user', { id: 'string', name: 'string', email: 'string', team: 'string' }),
      s('channel', {
        id: 'string', name: 'string', privacy: 'string', is_shared: 'bool', is_org_shared: 'bool',
        teams_shared_with: 'Optional[List[str]]',
      }),
      s('file', { id: 'string', name: 'string', filetype: 'string', title: 'string' }),
      s('app', {
        id: 'string', name: 'string', is_distributed: 'bool', is_directory_approved: 'bool', is_workflow_app: 'bool',
        scopes: 'List[str]',
      }),
      s('workflow', { id: 'string', name: 'string' }),
      s('barrier', {
        id: 'string', primary_usergroup: 'string', barriered_from_usergroups: 'List[str]',
        restricted_subjects: 'List[str]', date_update: 'int',
      }),
      s('message', { team: 'string', channel: 'string', timestamp: 'string' }),
      s('usergroup', { id: 'string', name: 'string' }),
      s('role', { id: 'string', name: 'string', type: 'string' }),
      s('account_type_role', { id: 'string', name: 'string' }),
      s('huddle', { id: 'string', date_start: 'int', date_end: 'int', participants: 'List[str]' }),
      s('canvas', { id: 'string', name: 'string' }),
      s('list', { id: 'string' }),
      s('workflow_v2', { id: 'string', app_id: 'string', date_updated: 'int', callback_id: 'string', name: 'string' }),
    ],
  };
}
