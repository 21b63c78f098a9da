package dev.keyguard.testing;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The canary check of {@link CanaryExtension} for jqwik properties, which do not run on Jupiter:
 * a property fails if a canary leaked while it ran. Registered globally through {@code
 * META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}.
 */
public final class CanaryJqwikHook implements AroundPropertyHook {

  /** Created by jqwik through the service loader. */
  public CanaryJqwikHook() {}

  /** A globally registered hook applies to every property below the engine. */
  @Override
  public PropagationMode propagateTo() {
    return PropagationMode.ALL_DESCENDANTS;
  }

  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    CanaryExtension.install();
    PropertyExecutionResult result = property.execute();
    try {
      Canaries.detector().throwIfViolated("A canary secret leaked during property " + context.label());
    } catch (AssertionError leak) {
      return result.mapToFailed(leak);
    }
    return result;
  }
}
