"""What the import tests of each add-on share: files in an importer's format, and their preview."""
from sqlalchemy import func, select


class ImportFiles:
    """CSV files with ``header``, read by ``importer_class``; ``model`` counts what was saved."""

    def __init__(self, importer_class, header, model, filename):
        self.importer_class, self.header, self.model, self.filename = importer_class, header, model, filename

    def csv(self, *lines):
        return ("\n".join((self.header,) + lines) + "\n").encode("utf-8")

    def count(self, dbsession):
        dbsession.flush()
        return dbsession.scalar(select(func.count()).select_from(self.model))

    def preview(self, request, data, filename=None):
        importer = self.importer_class(request)
        return importer, importer.preview(importer.read(data, filename or self.filename))

    @staticmethod
    def errors_by_row(preview):
        return {row.number: row.errors for row in preview.rows if row.errors}
