"""Files in and out (Qt-free): CSV/XLSX import and export, HXL 3W, with pandas, openpyxl and libhxl."""
