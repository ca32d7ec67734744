# Turns docs/workflow.schema.json into a C++ source defining flyte::kWorkflowSchemaJson.
file(READ ${IN} content)
file(WRITE ${OUT} "// Generated from docs/workflow.schema.json; do not edit.\n"
  "namespace flyte {\nextern const char kWorkflowSchemaJson[];\n"
  "const char kWorkflowSchemaJson[] = R\"__flyte_schema__(${content})__flyte_schema__\";\n}\n")
