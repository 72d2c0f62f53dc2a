"""`kam`, the command line: generate demo data, run the pipeline, validate, serve the dashboard
and Dagster."""
