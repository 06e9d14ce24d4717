import { lazy, Suspense } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { unknownAddress } from './not-found.js';
import { NotFoundPage } from './NotFound.js';

// Each page is its own chunk: the canvas (React Flow, dagre, the step forms) loads only with the editor,
// and the domain schemas (zod, @cairn/core) with the first page that needs them, not with the shell.
const JourneysList = lazy(async () => ({
  default: (await import('./pages/JourneysList.js')).JourneysList,
}));
const JourneyEditor = lazy(async () => ({
  default: (await import('./pages/JourneyEditor.js')).JourneyEditor,
}));
const SegmentsList = lazy(async () => ({
  default: (await import('./pages/SegmentsList.js')).SegmentsList,
}));
const SegmentBuilder = lazy(async () => ({
  default: (await import('./pages/SegmentBuilder.js')).SegmentBuilder,
}));
const TemplatesList = lazy(async () => ({
  default: (await import('./pages/Templates.js')).TemplatesList,
}));
const TemplateEditor = lazy(async () => ({
  default: (await import('./pages/TemplateEditor.js')).TemplateEditor,
}));
const ContactsList = lazy(async () => ({
  default: (await import('./pages/Contacts.js')).ContactsList,
}));
const ContactPage = lazy(async () => ({
  default: (await import('./pages/Contacts.js')).ContactPage,
}));
const Debugger = lazy(async () => ({ default: (await import('./pages/Debugger.js')).Debugger }));
const Activity = lazy(async () => ({ default: (await import('./pages/Activity.js')).Activity }));
const Settings = lazy(async () => ({ default: (await import('./pages/Settings.js')).Settings }));

/** The router decodes only what decodeURI does; ids may hold '/', '?' or '#', so decode the rest here. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Every page of the app, by its hash path (`#/journeys/<id>`); a page keyed by its id starts afresh. */
export function AppRoutes() {
  return (
    <Suspense fallback={<div className="page muted">Loading…</div>}>
      <Routes />
    </Suspense>
  );
}

function Routes() {
  return (
    <Switch>
      <Route path="/">
        <JourneysList />
      </Route>
      <Route path="/journeys">
        <JourneysList />
      </Route>
      <Route path="/journeys/:id">
        {({ id }) => <JourneyEditor key={id} journeyId={decoded(id)} />}
      </Route>
      <Route path="/segments">
        <SegmentsList />
      </Route>
      <Route path="/segments/:id">
        {({ id }) => <SegmentBuilder key={id} segmentId={id === 'new' ? undefined : decoded(id)} />}
      </Route>
      <Route path="/templates">
        <TemplatesList />
      </Route>
      <Route path="/templates/:id">
        {({ id }) => (
          <TemplateEditor key={id} templateId={id === 'new' ? undefined : decoded(id)} />
        )}
      </Route>
      <Route path="/contacts">
        <ContactsList />
      </Route>
      <Route path="/contacts/:id">
        {({ id }) => <ContactPage key={id} contactId={decoded(id)} />}
      </Route>
      <Route path="/debugger">
        <Debugger />
      </Route>
      <Route path="/activity/:type?/:id?">
        {({ type, id }) => (
          <Activity
            {...(type ? { routeType: decoded(type) } : {})}
            {...(id ? { routeId: decoded(id) } : {})}
          />
        )}
      </Route>
      <Route path="/settings">
        <Settings />
      </Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

function NotFound() {
  const [location] = useLocation();
  return <NotFoundPage words={unknownAddress(location)} />;
}
