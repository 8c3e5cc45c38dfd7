"""Wire types and the vgi-rpc service declaration for protocol vgi.v2 2.2.0.

One module per concern; import from the module, not from this package, which
stays empty so that ``import vgi_host`` (which needs only ``enums``) does not
pull in vgi-rpc:

* ``enums`` — every enum that travels (as its member name);
* ``arguments`` — ``Arguments`` and its ``args``-struct codec;
* ``invocation`` — bind, init and the table-function side calls;
* ``planning`` — ``table_function_plan`` types;
* ``scan`` — ``ScanFunctionResult`` / ``ScanBranch`` and their argument codec;
* ``functions`` — ``FunctionInfo`` and its nested records;
* ``catalog`` — schema, table, view, macro, index and COPY-format items;
* ``attach`` — ``CatalogInfo``, the attach request and ``CatalogAttachResult``;
* ``listing`` — the list responses and other catalog read answers;
* ``ddl`` — write / DDL / transaction types (refused by the host);
* ``aggregate`` — aggregate and table-buffering types;
* ``service`` — the ``VgiProtocol`` declaration itself.
"""
