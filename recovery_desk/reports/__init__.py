"""PDF status reports (reportlab, Qt-free): the incident progress report
(:func:`recovery_desk.reports.incident.build_incident_report`) and the case status report
(:func:`recovery_desk.reports.case.build_case_report`). Both write atomically and take a
``progress(done, total, text)`` callable that may raise to cancel."""
