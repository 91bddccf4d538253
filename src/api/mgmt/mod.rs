//! `/v1/mgmt/*` and `/v2/mgmt/*`: the management API.

crate::route_table! {
    pub GROUP;
    modules {
        accesskey,
        analytics,
        audit,
        auth,
        authz,
        descoper,
        fga,
        flow,
        group,
        impersonate,
        inboundapp,
        jwt,
        license,
        list,
        localization,
        managementkey,
        mcp,
        outbound,
        password,
        permission,
        project,
        resource,
        resourcepolicy,
        role,
        scopeclaim,
        sso,
        tenant,
        tests,
        theme,
        thirdparty,
        user,
        widget,
    }
}
