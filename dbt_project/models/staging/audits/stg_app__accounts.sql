-- The platform's accounts (app.account) 1:1, as the F5 audit reads them.
{{ config(tags=['audit']) }}

select
    org_id,
    account_id,
    crm_account_id,
    name
from {{ source('app', 'account') }}
