// ObjectPool<T>: reusable objects that are expensive to make (a validating adapter owns a Xerces
// reader; an envelope writer owns one too) and may be used by one thread at a time. acquire()
// hands out an idle one, or makes a new one; the Lease gives it back when it dies.
//
// Lifetime: the pool owns its idle objects and destroys them with itself, so they die where the
// pool's owner decides (issue 16: thread_local writers outlived Xerces' termination and crashed
// a worker process on SIGTERM). REQUIRES: every Lease dies before its pool.
// Thread-safety: acquire() and Lease destruction may run on any thread.
//
//   ObjectPool<IwmoAdapter> adapters([&] { return IwmoAdapter::create(schemas, limits); });
//   auto adapter = adapters.acquire();
//   if (!adapter) return adapter.status();
//   (*adapter)->validate(bytes, source, envelope);
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo {

template <typename T>
class ObjectPool {
 public:
  using Factory = std::function<Result<std::unique_ptr<T>>()>;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), object_(std::move(other.object_)) {}
    Lease& operator=(Lease&& other) noexcept {
      if (this != &other) {
        giveBack();
        pool_ = std::exchange(other.pool_, nullptr);
        object_ = std::move(other.object_);
      }
      return *this;
    }
    Lease(const Lease&) = delete;
    ~Lease() { giveBack(); }
    T* operator->() const { return object_.get(); }
    T& operator*() const { return *object_; }

   private:
    friend class ObjectPool;
    Lease(ObjectPool* pool, std::unique_ptr<T> object) : pool_(pool), object_(std::move(object)) {}
    void giveBack() {
      if (pool_ != nullptr && object_ != nullptr) pool_->release(std::move(object_));
      pool_ = nullptr;
    }
    ObjectPool* pool_;
    std::unique_ptr<T> object_;
  };

  explicit ObjectPool(Factory factory) : factory_(std::move(factory)) {}
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;

  // An idle object, or a new one from the factory. Errors: those of the factory.
  Result<Lease> acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<T> object = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(object));
      }
    }
    Result<std::unique_ptr<T>> made = factory_();
    if (!made) return made.status();
    return Lease(this, std::move(*made));
  }

 private:
  void release(std::unique_ptr<T> object) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(object));
  }

  Factory factory_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> idle_;  // guarded by mutex_
};

}  // namespace iwmo
