-- QUARANTINE_SHARE (platform): an org whose quarantined opportunities are more than
-- audit_quarantine_share_max (org_settings) of its input opportunities.
{{ share_audit('QUARANTINE_SHARE', 'quarantined', 'audit_quarantine_share_max', 'marts.quarantined_rows') }}
