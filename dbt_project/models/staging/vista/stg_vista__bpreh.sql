with source as (
    select * from {{ source('vista', 'bPREH') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "PRCo" as company,
        "Employee" as employee,
        "LastName" as last_name,
        "FirstName" as first_name,
        "SortName" as sort_name,
        "City" as city,
        "State" as state,
        "SSN" as ssn,
        "Sex" as sex,
        {{ vista_date('"BirthDate"') }} as birth_date,
        {{ vista_date('"HireDate"') }} as hire_date,
        {{ vista_date('"TermDate"') }} as term_date,
        "PRGroup" as pr_group,
        "PRDept" as pr_dept,
        "Craft" as craft,
        "Class" as class,
        "InsCode" as ins_code,
        "TaxState" as tax_state,
        "GLCo" as gl_company,
        "JCCo" as jc_company,
        {{ vista_trim_code('"Job"') }} as job,
        "EarnCode" as earn_code,
        "HrlyRate" as hrly_rate,
        "SalaryAmt" as salary_amt,
        {{ vista_yn_to_bool('"ActiveYN"') }} as is_active,
        {{ vista_yn_to_bool('"CertYN"') }} as is_cert,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
