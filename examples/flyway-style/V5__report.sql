-- V5: a report to paste into the ticket.
SELECT * FROM migration_report(NULL, 'markdown');
