-- Quote lines 1:1 with the source rows (quantity is a delta on an amendment's quote).
select
    org_id,
    quote_id,
    id as quote_line_id,
    product_sku,
    quantity,
    unit_price,
    start_date,
    end_date
from {{ source('app', 'quote_line') }}
