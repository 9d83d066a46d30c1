/**
 * The agent identity: state directory, onboarding, heartbeat and certificate renewal (PROTOCOL §B2-§B4, A2). Entry
 * points: {@link io.loganalytics.sdk.impl.agent.AgentIdentity}. Internal, not an API.
 */
package io.loganalytics.sdk.impl.agent;
