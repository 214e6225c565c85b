//
//  RTImageCache.m
//

#import "RTImageCache.h"
#import <UIKit/UIKit.h>

NS_ASSUME_NONNULL_BEGIN

typedef void (^RTCompletionBlock)(UIImage * _Nullable image, NSError * _Nullable error);

static NSString * const RTImageCacheErrorDomain = @"RTImageCacheErrorDomain";
static const NSUInteger RTDefaultCapacity = 64;

static inline NSString *RTCacheKeyForURL(NSURL *url) {
    return url.absoluteString;
}

@interface RTImageCache ()
@property (nonatomic, strong) NSCache<NSString *, UIImage *> *memoryCache;
@property (nonatomic, copy, nullable) RTCompletionBlock lastCompletion;
@end

@implementation RTImageCache {
    dispatch_queue_t _ioQueue;
}

#pragma mark - Singleton

+ (instancetype)sharedCache {
    static RTImageCache *shared = nil;
    static dispatch_once_t onceToken;
    dispatch_once(&onceToken, ^{
        shared = [[self alloc] initWithCapacity:RTDefaultCapacity];
    });
    return shared;
}

- (instancetype)initWithCapacity:(NSUInteger)capacity {
    if ((self = [super init])) {
        _memoryCache = [[NSCache alloc] init];
        _memoryCache.countLimit = capacity;
        _ioQueue = dispatch_queue_create("rt.cache.io", DISPATCH_QUEUE_SERIAL);
    }
    return self;
}

#pragma mark - Lookup

- (nullable UIImage *)imageForURL:(NSURL *)url {
    return [self.memoryCache objectForKey:RTCacheKeyForURL(url)];
}

- (void)storeImage:(UIImage *)image forURL:(NSURL *)url completion:(nullable RTCompletionBlock)completion {
    [self.memoryCache setObject:image forKey:RTCacheKeyForURL(url)];
    if (completion) {
        completion(image, nil);
    }
}

- (void)removeAllImages {
    [self.memoryCache removeAllObjects];
}

@end

@implementation UIImageView (RTImageCache)

- (void)rt_setImageWithURL:(NSURL *)url {
    UIImage *cached = [[RTImageCache sharedCache] imageForURL:url];
    if (cached) {
        self.image = cached;
    }
}

@end

NS_ASSUME_NONNULL_END
