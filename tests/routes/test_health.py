from kiosk import create_app, migrate


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True and body["database"]["revision"] == migrate.head_revision()


def test_healthz_when_the_database_is_down(app_config):
    app = create_app(app_config | {"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/test"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False
