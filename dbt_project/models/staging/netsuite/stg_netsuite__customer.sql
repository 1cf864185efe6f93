with source as (
    select * from {{ source('netsuite', 'customer') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as customer_id,
        "entityid" as entityid,
        "altname" as altname,
        "companyname" as companyname,
        "firstname" as firstname,
        "lastname" as lastname,
        {{ netsuite_tf_to_bool('"isperson"') }} as is_person,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        "parent" as parent_id,
        "subsidiary" as subsidiary_id,
        "currency" as currency_id,
        "terms" as terms_id,
        "creditlimit" as creditlimit,
        "category" as category_id,
        "receivablesaccount" as receivablesaccount,
        "defaultbillingaddress" as defaultbillingaddress,
        "defaultshippingaddress" as defaultshippingaddress,
        "email" as email,
        "phone" as phone,
        "url" as url,
        "comments" as comments,
        "custentity_erpml_segment" as custentity_erpml_segment,
        "custentity_erpml_category" as custentity_erpml_category,
        "externalid" as externalid,
        {{ netsuite_date('"firstorderdate"') }} as firstorderdate,
        "datecreated" as datecreated,
        "lastmodifieddate" as lastmodifieddate,
        {{ netsuite_known_at('"lastmodifieddate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
