-- The source contract of SPEC §2, as `init-db` creates it when absent.
-- Sources are loose on purpose: a CRM sync or a legacy table can hold
-- duplicate ids and nulls, and the pipeline must quarantine them, so the
-- source tables carry no primary keys. The tables the backfill owns
-- (app.account, app.engagement) do.

create schema if not exists salesforce;
create schema if not exists app;

create table if not exists salesforce.account (
    org_id text,
    id text,
    name text,
    is_deleted boolean not null default false,
    system_modstamp timestamptz
);

create table if not exists salesforce.opportunity (
    org_id text,
    id text,
    account_id text,
    name text,
    type text,
    stage_name text,
    is_closed boolean not null default false,
    is_won boolean not null default false,
    close_date date,
    amount numeric(18, 2),
    record_type_id text,
    is_deleted boolean not null default false,
    system_modstamp timestamptz not null default now(),
    last_opportunity_c text,
    opportunity_replaced_by_c text,
    contract_start_date_c date,
    contract_end_date_c date
);
create index if not exists opportunity_org_id_idx on salesforce.opportunity (org_id, id);
create index if not exists opportunity_modstamp_idx on salesforce.opportunity (system_modstamp, id);

create table if not exists salesforce.deal_group_c (
    org_id text,
    id text,
    deal_group_id_c text,
    name text,
    account_c text,
    status_c text,
    group_effective_date_c date,
    group_end_date_c date,
    renewal_opportunity_c text,
    prior_deal_group_c text,
    contract_type_c text,
    engagement_sequence_c numeric,
    system_modstamp timestamptz not null default now()
);

create table if not exists app.organization (
    org_id text primary key,
    name text not null,
    engagement_model_enabled boolean not null default false,
    renewal_chain_enabled boolean not null default false,
    deal_group_writeback_enabled boolean not null default false
);

-- created_by marks rows the backfill wrote itself, so that a re-run reads the
-- legacy input it started from and not its own output (decision D2).
create table if not exists app.deal_group (
    org_id text,
    id text,
    name text,
    crm_account_id text,
    created_at timestamptz not null default now(),
    type text,
    account_id text,
    engagement_id text,
    engagement_sequence integer,
    contract_type text,
    status text,
    prior_deal_group_id text,
    created_by text
);
create index if not exists deal_group_org_id_idx on app.deal_group (org_id, id);

create table if not exists app.deal_group_opportunity (
    org_id text,
    deal_group_id text,
    opportunity_id text,
    sequence integer,
    created_by text
);
create index if not exists deal_group_opportunity_org_idx on app.deal_group_opportunity (org_id, deal_group_id);

create table if not exists app.account (
    org_id text not null,
    account_id text not null,
    crm_account_id text,
    name text,
    primary key (org_id, account_id)
);

create table if not exists app.engagement (
    org_id text not null,
    engagement_id text not null,
    account_id text not null,
    status text not null,
    started_on date,
    ended_on date,
    primary key (org_id, engagement_id)
);

create table if not exists app.quote (
    org_id text,
    id text,
    opportunity_id text,
    is_primary boolean not null default false,
    status text,
    created_at timestamptz not null default now(),
    signed_at timestamptz,
    is_system_draft boolean not null default false
);

create table if not exists app.quote_line (
    org_id text,
    quote_id text,
    id text,
    product_sku text,
    quantity numeric(18, 4),
    unit_price numeric(18, 2),
    start_date date,
    end_date date
);

create table if not exists app.company (
    company_id text primary key,
    name text,
    stale_policy text
);

create table if not exists app.agreement_template (
    template_id text primary key,
    company_id text,
    name text,
    body text,
    version integer,
    updated_at timestamptz not null default now(),
    stale_policy text
);

create table if not exists app.inspection (
    inspection_id text primary key,
    company_id text,
    report_id text,
    job_creation_type text,
    scheduled_at timestamptz,
    property_address text,
    property_city text,
    property_postal_code text,
    people jsonb,
    updated_at timestamptz not null default now()
);

create table if not exists app.charge (
    charge_id text primary key,
    inspection_id text,
    service_name text,
    amount numeric(18, 2),
    is_deleted boolean not null default false,
    updated_at timestamptz not null default now()
);

create table if not exists app.agreement (
    agreement_id text primary key,
    inspection_id text,
    template_id text,
    status text,
    signed_at timestamptz,
    signed_template_version integer,
    signed_content_hash text,
    signed_facts jsonb,
    is_stale boolean not null default false,
    stale_at timestamptz
);

create table if not exists app.change_event (
    event_id bigserial primary key,
    occurred_at timestamptz not null default now(),
    source text,
    op text,
    entity_id text,
    inspection_id text,
    template_id text,
    changed_fields text[]
);

create index if not exists agreement_inspection_idx on app.agreement (inspection_id);
create index if not exists agreement_template_idx on app.agreement (template_id);
create index if not exists charge_inspection_idx on app.charge (inspection_id);

-- Renewal scaffolding (SPEC §4). A system draft belongs to the renewal contract
-- (deal_group_id: a scaffold may have no opportunity yet) and remembers the seed
-- it was written from (seed_hash), so a reseed happens only when the seed changed.
alter table app.quote add column if not exists deal_group_id text;
alter table app.quote add column if not exists seed_hash text;
-- a scaffolded successor remembers its prior's head opportunity: the backfill's
-- contract for a renewal opportunity that arrives later adopts the scaffold
alter table app.deal_group add column if not exists prior_head_opportunity_id text;
-- F1: at most one PENDING renewal successor per prior, enforced by the database.
create unique index if not exists deal_group_one_pending_renewal_per_prior
    on app.deal_group (org_id, prior_deal_group_id)
    where contract_type = 'RENEWAL' and status = 'PENDING' and prior_deal_group_id is not null;
-- one system draft per renewal contract
create unique index if not exists quote_one_system_draft_per_renewal
    on app.quote (org_id, deal_group_id) where is_system_draft and deal_group_id is not null;
create index if not exists quote_opportunity_idx on app.quote (org_id, opportunity_id);
create index if not exists quote_line_quote_idx on app.quote_line (org_id, quote_id);
create index if not exists deal_group_c_modstamp_idx on salesforce.deal_group_c (system_modstamp, id);
