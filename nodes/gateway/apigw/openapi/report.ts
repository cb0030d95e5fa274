// What an import found wrong, collected rather than thrown so that one answer lists every
// problem, as AWS's does: errors fail the import ("Errors found during import:" and one line per
// problem); warnings are returned in the API's `warnings`, or fail it when failonwarnings=true.
import { AwsError } from '../../errors.js';

export class ImportReport {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];

  error(message: string): void {
    this.errors.push(message);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Throws AWS's BadRequestException when the import must not be applied. */
  verdict(failOnWarnings: boolean): void {
    if (this.errors.length > 0) throw new AwsError('ApigwBadRequestException', `Errors found during import:\n\t${this.errors.join('\n\t')}`);
    if (failOnWarnings && this.warnings.length > 0) throw new AwsError('ApigwBadRequestException', `Warnings found during import:\n\t${this.warnings.join('\n\t')}`);
  }
}
