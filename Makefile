# Two commands on a fresh machine with Python 3.11 and pip:
#   make demo   environment, demo data, every asset materialised, dashboard served
#   make test   every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# uv installs exactly what uv.lock pins; it never downloads a Python of its own here.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Installed packages get their bytecode at install time. Without it a machine that sets
# PYTHONDONTWRITEBYTECODE (as many container images do) compiles Dagster, dbt and Great
# Expectations from source on every run: 10 of a demo run's 50 seconds.
export UV_COMPILE_BYTECODE := 1
PORT ?= 8501

.PHONY: setup setup-spark demo data warehouse dashboard dagster lint test test-spark test-fast bench clean

$(BIN)/.installed: pyproject.toml uv.lock
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 is required, found " + sys.version.split()[0]) if sys.version_info[:2] != (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv sync --locked --inexact
	touch $@

setup: $(BIN)/.installed

# The Spark engine's own environment (dbt-spark with pyspark, from the same lock file): Spark runs
# inside dbt's process on Java 17 from the system (Debian's openjdk-17-jre-headless).
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: pyproject.toml uv.lock $(BIN)/.installed
	@command -v java >/dev/null || { echo "Java 17 is needed for Spark: apt-get install -y openjdk-17-jre-headless"; exit 1; }
	$(PYTHON) -m venv $(SPARK_VENV)
	UV_PROJECT_ENVIRONMENT=$(SPARK_VENV) $(BIN)/uv sync --locked --inexact --only-group spark
	touch $@

setup-spark: $(SPARK_VENV)/.installed

data: setup
	$(BIN)/kam generate

warehouse: setup
	$(BIN)/kam run

dashboard: setup
	$(BIN)/kam dashboard --port $(PORT)

demo: data warehouse dashboard

# Dagster UI at http://localhost:3000 (schedule and sensor running); run history in .dagster_home/.
dagster: setup
	$(BIN)/kam dagster

# Python with ruff, the dbt models' SQL with sqlfluff (dbt templater, DuckDB dialect; rules in
# dbt_project/.sqlfluff). The templater compiles every model, which opens the profile's warehouse:
# an in-memory DuckDB here, so the lint needs no built warehouse and writes none.
lint: setup
	$(BIN)/ruff check .
	cd dbt_project && KAM_WAREHOUSE_WORK=:memory: ../$(BIN)/sqlfluff lint models --processes 2

# Three workers on two cores: a worker spends part of its time waiting (a dashboard server starting,
# a browser page settling, a dbt child process), and a third keeps the cores busy meanwhile
# (measured on this suite: 9 min 26 s and 9 min 48 s against 10 min 47 s and 10 min 54 s with two).
test: lint
	$(BIN)/pytest -n 3 --dist loadfile --no-loadscope-reorder --durations=15 -m "not spark"

# The same models built on Spark and compared with DuckDB (tests/test_spark.py): inside `make test`
# it takes the suite to 9.5 - 10.5 minutes on two cores, past its ten, so it is a target of its own.
test-spark: setup-spark
	$(BIN)/pytest -m spark --durations=5

# The inner loop: everything but the tests that run the pipeline or a browser (about a minute).
test-fast: lint
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not pipeline and not browser"

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf data dbt_project/target dbt_project/logs tests/artifacts
