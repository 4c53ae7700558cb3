-- UNATTACHED_SHARE (platform): an org whose unattached opportunities are more than
-- audit_unattached_share_max (org_settings) of its input opportunities.
{{ share_audit('UNATTACHED_SHARE', 'unattached', 'audit_unattached_share_max', 'marts.unattached_opportunities') }}
