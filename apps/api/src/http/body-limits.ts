import type { RequestHandler } from 'express';
import { tooDeepIssue } from '@cairn/core';
import { HttpProblem } from './problem.js';

/** How deeply a management API body may nest: far beyond any journey or segment, far below what storage refuses. */
export const MAX_MANAGEMENT_BODY_DEPTH = 64;

/**
 * Refuses a parsed JSON body nested deeper than `maxDepth` with a 400 naming where, before validators and
 * the database (which recurse, and whose limits would otherwise surface as a 500) ever see it.
 */
export function rejectDeepJson(maxDepth: number): RequestHandler {
  return (req, _res, next) => {
    const issue = tooDeepIssue(req.body, maxDepth);
    if (!issue) return next();
    next(
      HttpProblem.badRequest(`The body is nested too deeply: ${issue.path}: ${issue.message}.`, [
        issue,
      ]),
    );
  };
}
